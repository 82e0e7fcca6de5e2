"""Starts Azurite (Blob and Table Storage) from the project's own npm dependency, on free loopback ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Azurite's well-known development account; documented publicly, accepted only by the emulator.
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


PID_FILE = "azurite.pid"  # in the data location: finds an emulator a killed devhost left behind


class AzuriteError(RuntimeError):
    pass


def free_port(avoid: Collection[int] = ()) -> int:
    """A port free right now and not in `avoid`: ports picked before but not yet bound can come back."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in avoid:
            return port


def connection_string(blob_port: int, table_port: int) -> str:
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{blob_port}/{ACCOUNT};"
        f"TableEndpoint=http://127.0.0.1:{table_port}/{ACCOUNT};"
    )


@dataclass
class Azurite:
    process: subprocess.Popen
    blob_port: int
    table_port: int
    location: Path | None

    @property
    def connection_string(self) -> str:
        return connection_string(self.blob_port, self.table_port)

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        """Until Blob and Table answer; AzuriteError (and the emulator stopped) if it exits or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise AzuriteError(
                    f"Azurite exited with code {self.process.returncode}: {error.strip()[:500]}"
                )
            if all(_listening(port) for port in (self.blob_port, self.table_port)):
                return
            time.sleep(0.05)
        self.stop()
        raise AzuriteError(f"Azurite did not start within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def azurite_executable() -> str:
    local = PROJECT_ROOT / "node_modules" / ".bin" / "azurite"
    if local.exists():
        return str(local)
    found = shutil.which("azurite")
    if found:
        return found
    raise AzuriteError("Azurite is not installed: run `npm ci` in the project (make test and make run do)")


def start_azurite(location: Path | None = None, timeout: float = 30.0, blob_port: int | None = None,
                  table_port: int | None = None) -> Azurite:  # fmt: skip
    """Start Blob and Table services; in memory when `location` is None, else persisted there. Free ports
    unless given (given ports bring a stopped Azurite back where its clients expect it)."""
    azurite = launch_azurite(location, blob_port, table_port)
    azurite.wait_until_ready(timeout)
    return azurite


def launch_azurite(
    location: Path | None = None,
    blob_port: int | None = None,
    table_port: int | None = None,
    avoid: Collection[int] = (),
) -> Azurite:
    """Start the emulator without waiting for it (node takes a second or two): call wait_until_ready().
    `avoid`: ports the caller is about to bind itself (devhost's own)."""
    taken = {*avoid, blob_port, table_port}
    blob_port = blob_port or free_port(taken)
    table_port = table_port or free_port(taken | {blob_port})
    queue_port = free_port(taken | {blob_port, table_port})
    args = [
        azurite_executable(),
        "--silent",
        "--skipApiVersionCheck",
        "--disableTelemetry",
        "--blobHost", "127.0.0.1", "--blobPort", str(blob_port),
        "--tableHost", "127.0.0.1", "--tablePort", str(table_port),
        "--queueHost", "127.0.0.1", "--queuePort", str(queue_port),
    ]  # fmt: skip
    if location is None:
        args.append("--inMemoryPersistence")
    else:
        location.mkdir(parents=True, exist_ok=True)
        args += ["--location", str(location)]
        _stop_leftover(location)
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
    if location is not None:
        (location / PID_FILE).write_text(str(process.pid))
    return Azurite(process, blob_port, table_port, location)


def _stop_leftover(location: Path) -> None:
    """Stop an Azurite left running on `location` by a devhost that was killed (its children outlive it): two
    emulators must not share the files, and the leftover would run forever."""
    import psutil  # a dependency of pgserver, installed with the development requirements

    try:
        pid = int((location / PID_FILE).read_text())
        process = psutil.Process(pid)
        is_ours = "azurite" in " ".join(process.cmdline()) and str(location) in process.cmdline()
    except (OSError, ValueError, psutil.Error):
        return
    if is_ours:
        process.terminate()
        try:
            process.wait(10)
        except psutil.TimeoutExpired:
            process.kill()
            process.wait(10)  # gone before another emulator opens its files


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0
