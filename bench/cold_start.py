"""Measures what `import function_app` adds to a bare interpreter: the Functions cold-start share we own.

Each variant runs in fresh interpreters (N times, median, min and max). The app is imported from a temporary copy
of function_app.py, functions/ and shared/, in two ways:

- our sources compiled at start: the copy has no bytecode and none is written, so every start compiles our
  .py files, as a package that ships no __pycache__ does (and as this machine does: PYTHONDONTWRITEBYTECODE);
- with bytecode: the copy is precompiled first, hash-checked, as scripts/compile-bytecode.sh does for a
  deployment.

Installed packages use their own bytecode either way. Also lists which of the heavy SDKs, and how many of
our modules, the import pulled in. Usage: python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import py_compile
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PARTS = ("function_app.py", "functions", "shared")
PROBE = """
import sys, time, json
t = time.perf_counter()
{stmt}
elapsed = time.perf_counter() - t
sdks = [m for m in ("azure.storage.blob", "azure.data.tables", "azure.servicebus", "google.genai", "twilio",
                    "psycopg2", "pypdf", "docx", "phonenumbers", "azure.identity") if m in sys.modules]
ours = [m for m in sys.modules if m.split(".")[0] in ("functions", "shared")]
print(json.dumps({{"seconds": elapsed, "sdks": sdks, "ours": len(ours)}}))
"""


def copy_app(destination: Path) -> None:
    destination.mkdir()
    for part in APP_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / part)


def run_once(stmt: str, cwd: Path) -> dict:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)  # bytecode, when there is any, is the copy's own __pycache__
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(stmt=stmt)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        sources, compiled = Path(tmp, "sources"), Path(tmp, "compiled")
        copy_app(sources)
        copy_app(compiled)
        compileall.compile_dir(
            compiled, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
        )
        variants = [  # (label, statement, app copy)
            ("azure.functions + azure.durable_functions (the platform's share)", "import azure.durable_functions", sources),
            ("import function_app, our sources compiled at start", "import function_app", sources),
            ("import function_app, with bytecode (as deployed)", "import function_app", compiled),
        ]  # fmt: skip
        times: dict[str, list[float]] = {label: [] for label, _, _ in variants}
        # Round-robin, so that load from elsewhere on the machine weighs on every variant alike.
        for _ in range(args.runs):
            for label, stmt, cwd in variants:
                result = run_once(stmt, cwd)
                times[label].append(result["seconds"])
    # The minimum is the steadiest figure when other work loads the machine; the median is the usual one.
    print(f"{'what':<66} {'median s':>9} {'min s':>7} {'max s':>7}")
    for label, measured in times.items():
        print(f"{label:<66} {statistics.median(measured):>9.3f} {min(measured):>7.3f} {max(measured):>7.3f}")
    print("SDKs imported by function_app:", ", ".join(result["sdks"]) or "none")
    print("modules of functions/ and shared/ imported:", result["ours"])


if __name__ == "__main__":
    main()
