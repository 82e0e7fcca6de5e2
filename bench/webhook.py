"""Twilio inbound webhook under load: devhost's `POST /api/sms/inbound` beside a minimal floor server.

Starts devhost (embedded PostgreSQL, Azurite) in a temporary directory, creates a job with 30 questions
and one interview per "candidate" number through the API, then drives signed, Twilio-shaped inbound
webhooks at 1, 4 and 16 concurrent keep-alive connections from an aiohttp client, measuring each
request's latency on the client side. The traffic mixes:

- texts from numbers with an active interview (answers that raise the orchestration's event, or texts
  that join an answer while the next question is on its way),
- texts from numbers with no interview (the app replies politely through the fake Twilio),
- Twilio retries: an earlier message sent again, same MessageSid and signature.

In the same run, the same requests go to a floor: a minimal server that parses the same form and inserts
one row into a table of its own (`bench_floor`) in the same PostgreSQL. Two floors are measured (stdlib
ThreadingHTTPServer and aiohttp) and the faster one at each level is the floor. Each row also gives CPU
milliseconds per request of the server, PostgreSQL and Azurite, counted until devhost is idle again (so
they include the orchestrations, SMS and status callbacks the requests caused). Method and figures:
docs/benchmarks.md, section Webhook.

    /work/venv/bin/python -m bench.webhook [--levels 1,4,16] [--profile out.txt]

Loopback only. Each level is bounded by a request count and a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parents[1]
EMPTY_TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
LEVELS = (1, 4, 16)
REQUESTS = {1: 500, 4: 1500, 16: 4000}  # per level, before the time limit
QUESTIONS = 30  # the API's maximum per job
MESSAGES_PER_INTERVIEW = QUESTIONS - 2  # below the question count: no interview completes during the run
ANSWERS = (
    "About six years, mostly Django and FastAPI",
    "A race condition in a payment queue; I found it with logging and a replay test",
    "I like building APIs that other teams rely on",
    "Yes, I led a team of four for two years",
    "PostgreSQL mostly, some Redis and DynamoDB",
    "I would start by measuring, then fix the slowest query first",
    "Two weeks notice, then I can start",
    "Remote or hybrid both work for me",
)
STRANGER_TEXTS = (
    "Hi, is this about the job?",
    "Who is this?",
    "Thanks, got your message",
    "What role is this for?",
)


# --- the traffic ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbound:
    kind: str  # interview | stranger | retry
    sid: str
    body: bytes
    signature: str


@dataclass
class TrafficPlan:
    """Signed inbound webhooks in a fixed mix, computed before the clock starts.

    Numbers with an interview take turns (shuffled round robin), so each one's texts are spread out as a
    real candidate's are; none gets more than MESSAGES_PER_INTERVIEW, so no interview finishes mid-run.
    """

    url: str
    auth_token: str
    account_sid: str
    interview_phones: list[str]
    stranger_phones: list[str]
    share_stranger: float = 0.15
    share_retry: float = 0.15
    rng: random.Random = field(default_factory=lambda: random.Random(20261126))  # noqa: S311
    sent: dict[str, int] = field(default_factory=Counter)
    history: list[Inbound] = field(default_factory=list)
    _turn: int = 0

    def take(self, count: int) -> list[Inbound]:
        from twilio.request_validator import RequestValidator

        validator = RequestValidator(self.auth_token)
        planned: list[Inbound] = []
        for _ in range(count):
            roll = self.rng.random()
            if roll < self.share_retry and len(self.history) > 100:
                original = self.history[self.rng.randrange(len(self.history) - 64)]
                planned.append(Inbound("retry", original.sid, original.body, original.signature))
                continue
            if roll < self.share_retry + self.share_stranger:
                kind, phone, text = (
                    "stranger",
                    self.rng.choice(self.stranger_phones),
                    self.rng.choice(STRANGER_TEXTS),
                )
            else:
                kind, phone, text = "interview", self._next_candidate(), self.rng.choice(ANSWERS)
            params = twilio_form("SM" + secrets.token_hex(16), phone, text, self.account_sid)
            message = Inbound(
                kind,
                params["MessageSid"],
                urlencode(params).encode(),
                validator.compute_signature(self.url, params),
            )
            planned.append(message)
            self.history.append(message)
        return planned

    def _next_candidate(self) -> str:
        for _ in range(len(self.interview_phones)):
            phone = self.interview_phones[self._turn % len(self.interview_phones)]
            self._turn += 1
            if self._turn % len(self.interview_phones) == 0:
                self.rng.shuffle(self.interview_phones)
            if self.sent[phone] < MESSAGES_PER_INTERVIEW:
                self.sent[phone] += 1
                return phone
        raise SystemExit("every interview has had its share of texts: raise --interviews")


def twilio_form(
    sid: str, phone: str, body: str, account_sid: str, to: str = "+15005550006"
) -> dict[str, str]:
    """The form Twilio posts for an inbound SMS (the usual fields, as devhost's fake Twilio sends them)."""
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "SAN FRANCISCO",
        "FromZip": "94105", "SmsSid": sid, "FromState": "CA", "SmsStatus": "received", "FromCity": "SAN FRANCISCO",
        "Body": body, "FromCountry": "US", "To": to, "ToZip": "94105", "NumSegments": "1", "MessageSid": sid,
        "AccountSid": account_sid, "From": phone, "ApiVersion": "2010-04-01",
    }  # fmt: skip


# --- the client -----------------------------------------------------------------------------------------


@dataclass
class Measured:
    server: str
    connections: int
    latencies_ms: list[float]
    wall_s: float
    errors: Counter
    sids: list[str]
    kinds: Counter
    sent: int = 0  # requests sent, warm-up included
    drain_s: float | None = None
    by_kind: dict[str, list[float]] = field(
        default_factory=dict
    )  # latencies (ms) per kind of message  # after the last response, until devhost had nothing left to do
    cpu_ms: dict[str, float] = field(default_factory=dict)  # process -> CPU ms per request sent

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.wall_s if self.wall_s else 0.0

    def percentile(self, share: float) -> float:
        return _percentile(self.latencies_ms, share)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


async def drive(
    url: str, messages: list[Inbound], connections: int, max_seconds: float, warmup: int
) -> Measured:
    """Send `messages` over `connections` keep-alive connections, one request in flight on each.

    The first `warmup` messages open the connections and are not measured."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=connections)
    latencies: list[float] = []
    errors: Counter = Counter()
    sids: list[str] = []
    kinds: Counter = Counter()
    by_kind: dict[str, list[float]] = {}
    position = 0
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def worker(stop_at: int, deadline: float, record: bool) -> None:
            nonlocal position
            while position < stop_at and time.perf_counter() < deadline:
                message = messages[position]
                position += 1
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": message.signature,
                    "User-Agent": "TwilioProxy/1.1",
                }
                started = time.perf_counter()
                try:
                    async with session.post(url, data=message.body, headers=headers) as response:
                        body = await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    if record:
                        errors[type(exc).__name__] += 1
                    continue
                if not record:
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                by_kind.setdefault(message.kind, []).append(latencies[-1])
                if message.kind != "retry":
                    sids.append(message.sid)
                kinds[message.kind] += 1
                if status != 200 or body != EMPTY_TWIML:
                    errors[f"HTTP {status}"] += 1

        warm = min(warmup, len(messages))
        await asyncio.gather(*(worker(warm, time.perf_counter() + 60, False) for _ in range(connections)))
        started = time.perf_counter()
        deadline = started + max_seconds
        await asyncio.gather(*(worker(len(messages), deadline, True) for _ in range(connections)))
        wall = time.perf_counter() - started
    return Measured("", connections, latencies, wall, errors, sids, kinds, sent=position, by_kind=by_kind)


# --- the floor servers ----------------------------------------------------------------------------------

FLOOR_TABLE = """CREATE TABLE IF NOT EXISTS bench_floor (
    message_sid text PRIMARY KEY, from_phone text NOT NULL, to_phone text, body text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now())"""
FLOOR_INSERT = (
    "INSERT INTO bench_floor (message_sid, from_phone, to_phone, body) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (message_sid) DO NOTHING"
)


def _floor_params(raw: bytes) -> tuple[str, str, str, str]:
    form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
    return form.get("MessageSid", ""), form.get("From", ""), form.get("To", ""), form.get("Body", "")


def _floor_insert(local: threading.local, dsn: str, raw: bytes) -> None:
    """Inserts the form's message on this thread's autocommit connection (opened on first use)."""
    import psycopg2

    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = psycopg2.connect(dsn)
        conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(FLOOR_INSERT, _floor_params(raw))


def serve_floor_threading(port: int, dsn: str) -> None:
    """One thread per connection (keep-alive), one autocommit PostgreSQL connection per thread."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            _floor_insert(local, dsn, raw)
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(EMPTY_TWIML)))
            self.end_headers()
            self.wfile.write(EMPTY_TWIML)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128

    Server(("127.0.0.1", port), Handler).serve_forever()


def serve_floor_aiohttp(port: int, dsn: str) -> None:
    """One event loop; the insert runs on a 16-thread pool, one autocommit connection per thread."""
    from concurrent.futures import ThreadPoolExecutor

    from aiohttp import web

    local = threading.local()
    pool = ThreadPoolExecutor(max_workers=16)

    async def inbound(request: web.Request) -> web.Response:
        raw = await request.read()
        await asyncio.get_running_loop().run_in_executor(pool, _floor_insert, local, dsn, raw)
        return web.Response(body=EMPTY_TWIML, content_type="text/xml")

    app = web.Application()
    app.router.add_post("/api/sms/inbound", inbound)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


FLOORS = {"threading": serve_floor_threading, "aiohttp": serve_floor_aiohttp}


class FloorProcess:
    def __init__(self, kind: str, dsn: str) -> None:
        from devhost.azurite import free_port

        self.kind, self.port = kind, free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/sms/inbound"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.webhook",
                "--serve-floor",
                kind,
                "--port",
                str(self.port),
                "--dsn",
                dsn,
            ],
            cwd=ROOT,
        )
        _wait_listening(self.port, self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _wait_listening(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the floor server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("the floor server did not start")


# --- devhost and its data -----------------------------------------------------------------------------


def never_quiet(timezone: str = "America/Los_Angeles") -> dict[str, str]:
    """A one-minute quiet window twelve hours away, so questions go out whatever the wall clock says."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    start = (datetime.now(ZoneInfo(timezone)) + timedelta(hours=12)).replace(second=0, microsecond=0)
    return {"quiet_hours_start": f"{start:%H:%M}", "quiet_hours_end": f"{start + timedelta(minutes=1):%H:%M}"}


def create_interviews(host, count: int) -> list[str]:
    """A job with QUESTIONS questions and long timeouts, and `count` interviews, each awaiting question 1."""
    job = host.api("POST", "/api/jobs", {
        "title": "Backend Engineer", "requirements": ["Python", "PostgreSQL"],
        "questions": [{"text": f"Question {n}: tell us about your experience with topic {n}."}
                      for n in range(1, QUESTIONS + 1)],
        "interview_settings": {"greeting_enabled": False, "answer_timeout_minutes": 10080, "reminder_count": 1,
                               "reminder_interval_minutes": 10080, **never_quiet()},
    })  # fmt: skip
    phones = []
    for n in range(count):
        phone = f"+1415555{n:04d}"
        candidate = host.api(
            "POST", "/api/candidates", {"name": f"Candidate {n}", "phone": phone, "sms_consent": True}
        )
        host.api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})
        phones.append(phone)
    host.settle(timeout=120)
    return phones


def sql(dsn: str, query: str, params: tuple = ()) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(dsn)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def conversation_log_inbound(connection_string: str) -> set[str]:
    """SIDs of the inbound messages in the conversation log table."""
    from azure.data.tables import TableClient

    table = TableClient.from_connection_string(connection_string, "conversationlog")
    return {e["sid"] for e in table.query_entities("direction eq 'in'", select=["sid"])}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (those still running)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids(data_dir: Path) -> list[int]:
    """The embedded server's postmaster and its children (backends, background workers)."""
    try:
        postmaster = int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return []
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                    pids.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return pids


class CpuMeter:
    """CPU used by named processes between start() and stop(), per request."""

    def __init__(self, processes: dict[str, Callable[[], list[int]]]) -> None:
        self._processes = processes
        self._before: dict[str, float] = {}

    def start(self) -> None:
        self._before = {name: cpu_seconds(pids()) for name, pids in self._processes.items()}

    def stop(self, requests: int) -> dict[str, float]:
        return {name: (cpu_seconds(pids()) - self._before[name]) * 1000 / max(requests, 1)
                for name, pids in self._processes.items()}  # fmt: skip


class Profiler:
    """py-spy sampling devhost during one level and until devhost is idle again (raw collapsed stacks)."""

    def __init__(self, pid: int, output: Path, gil: bool) -> None:
        executable = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        args = [executable, "record", "--pid", str(pid), "--rate", "200", "--format", "raw", "--nonblocking",
                "--threads", "--output", str(output)]  # fmt: skip
        if gil:
            args.append("--gil")
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        time.sleep(1.0)  # attach before the load starts

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)


# --- the run ----------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    from devhost.azurite import free_port, start_azurite
    from shared.db.embedded import embedded_database_url
    from tests.e2e.conftest import start_devhost, stop_devhost

    levels = [int(level) for level in args.levels.split(",")]
    data_dir = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    azurite = start_azurite(data_dir / "azurite")
    auth_token, account_sid = secrets.token_hex(16), "AC" + secrets.token_hex(16)
    load_before = os.getloadavg()
    host = start_devhost(data_dir, free_port(), {"AzureWebJobsStorage": azurite.connection_string,
                                                 "TWILIO_AUTH_TOKEN": auth_token, "TWILIO_ACCOUNT_SID": account_sid})  # fmt: skip
    floors: list[FloorProcess] = []
    results: list[Measured] = []
    try:
        dsn = embedded_database_url(data_dir, "interview_ai")

        def pg_pids() -> list[int]:
            return postgres_pids(data_dir)

        sql(dsn, FLOOR_TABLE)
        started = time.perf_counter()
        phones = create_interviews(host, args.interviews)
        print(f"setup: {len(phones)} interviews in {time.perf_counter() - started:.1f} s", flush=True)
        url = host.url + "/api/sms/inbound"
        plan = TrafficPlan(url, auth_token, account_sid, phones, [f"+1650555{n:04d}" for n in range(40)])
        floors = [FloorProcess(kind, dsn) for kind in args.floors.split(",") if kind]
        # Warm-up: imports, pools and connections on every path (answers, strangers, retries).
        asyncio.run(drive(url, plan.take(args.warmup), 16, 60, args.warmup))
        host.settle(timeout=120)
        for connections in levels:
            count = min(REQUESTS.get(connections, 4000), args.max_requests)
            warmup = 4 * connections
            messages = plan.take(count + warmup)
            for floor in floors:
                sql(dsn, "TRUNCATE bench_floor")
                meter = CpuMeter({"server": lambda f=floor: [f.process.pid], "PostgreSQL": pg_pids})
                meter.start()
                measured = asyncio.run(drive(floor.url, messages, connections, args.max_seconds, warmup))
                measured.cpu_ms = meter.stop(measured.sent)
                measured.server = f"floor ({floor.kind})"
                results.append(measured)
                _print_row(measured)
            host.settle(timeout=120)
            meter = CpuMeter({"server": lambda: [host.process.pid], "PostgreSQL": pg_pids,
                              "Azurite": lambda: [azurite.process.pid]})  # fmt: skip
            meter.start()
            profiler = None
            if args.profile and connections == max(levels):
                profiler = Profiler(host.process.pid, Path(args.profile), args.profile_gil)
            measured = asyncio.run(drive(url, messages, connections, args.max_seconds, warmup))
            measured.server = "devhost"
            drain_started = time.perf_counter()
            host.settle(timeout=300)
            measured.drain_s = (
                time.perf_counter() - drain_started
            )  # the CPU figures and the profile include the work the requests caused
            measured.cpu_ms = meter.stop(measured.sent)
            if profiler is not None:
                profiler.stop()
            results.append(measured)
            _print_row(measured)
        print(_report(results, dsn, azurite.connection_string, host, load_before, args), flush=True)
    finally:
        for floor in floors:
            floor.stop()
        stop_devhost(host)
        azurite.stop()
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def _print_row(m: Measured) -> None:
    errors = ", ".join(f"{k}: {v}" for k, v in m.errors.items()) or "none"
    cpu = ", ".join(f"{name} {ms:.2f}" for name, ms in m.cpu_ms.items())
    print(f"{m.server:<20} c={m.connections:<3} n={len(m.latencies_ms):<5} {m.per_second:7.0f} req/s  "
          f"p50 {m.percentile(0.5):6.1f} ms  p99 {m.percentile(0.99):6.1f} ms  errors: {errors}  "
          f"CPU ms/request: {cpu}" + (f"  drained in {m.drain_s:.1f} s" if m.drain_s is not None else ""),
          flush=True)  # fmt: skip


def _report(results: list[Measured], dsn: str, storage: str, host, load_before: tuple, args) -> str:
    lines = [
        "",
        f"Date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({_cpu_model()}); Python "
        f"{platform.python_version()}; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}",
        "",
        "| server | connections | requests | req/s | p50 ms | p99 ms | max ms | errors "
        "| CPU ms/request: server | PostgreSQL | Azurite | idle again after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        cpu = [
            f"{m.cpu_ms[name]:.2f}" if name in m.cpu_ms else "-"
            for name in ("server", "PostgreSQL", "Azurite")
        ]
        lines.append(
            f"| {m.server} | {m.connections} | {len(m.latencies_ms)} | {m.per_second:,.0f} | {m.percentile(0.5):.1f} "
            f"| {m.percentile(0.99):.1f} | {max(m.latencies_ms, default=float('nan')):.1f} | {sum(m.errors.values())} "
            f"| {' | '.join(cpu)} | {f'{m.drain_s:.1f} s' if m.drain_s is not None else '-'} |"
        )
    lines.append("")
    for connections in sorted({m.connections for m in results}):
        app = next((m for m in results if m.server == "devhost" and m.connections == connections), None)
        floor = max((m for m in results if m.server.startswith("floor") and m.connections == connections),
                    key=lambda m: m.per_second, default=None)  # fmt: skip
        if app and floor:
            lines.append(f"{connections} connections: devhost {app.per_second:,.0f} req/s = "
                         f"{app.per_second / floor.per_second:.0%} of the {floor.server} {floor.per_second:,.0f} req/s; "
                         f"p99 {app.percentile(0.99):.1f} ms")  # fmt: skip
    top = next((m for m in reversed(results) if m.server == "devhost"), None)
    if top is not None:
        handled = sql(dsn, "SELECT handled_as, count(*) FROM inbound_messages WHERE message_sid = ANY(%s) "
                           "GROUP BY 1 ORDER BY 2 DESC", (list(set(top.sids)),))  # fmt: skip
        lines.append(
            f"at {top.connections} connections devhost was sent: "
            + ", ".join(f"{kind} {n}" for kind, n in top.kinds.most_common())
            + "; it handled the new messages as: "
            + ", ".join(f"{kind} {n}" for kind, n in handled)
            + "; p50/p99 ms by sender: "
            + ", ".join(
                f"{kind} {_percentile(v, 0.5):.1f}/{_percentile(v, 0.99):.1f}"
                for kind, v in top.by_kind.items()
            )
        )
    stored = sql(dsn, "SELECT message_sid FROM inbound_messages")
    expected = {row[0] for row in stored}
    deadline = time.monotonic() + 60
    logged = conversation_log_inbound(storage)
    while expected - logged and time.monotonic() < deadline:
        time.sleep(0.5)
        logged = conversation_log_inbound(storage)
    lines.append(f"conversation log: {len(expected & logged)} of {len(expected)} stored inbound messages logged"
                 + ("" if expected <= logged else f" ({len(expected - logged)} missing after 60 s)"))  # fmt: skip
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)), help="connection counts, e.g. 1,4,16")
    parser.add_argument("--interviews", type=int, default=240)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--max-requests", type=int, default=4000, help="per level")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="per level and server")
    parser.add_argument("--floors", default="threading,aiohttp")
    parser.add_argument("--profile", help="write py-spy raw stacks of devhost at the highest level here")
    parser.add_argument("--profile-gil", action="store_true", help="sample only the thread holding the GIL")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument("--serve-floor", choices=sorted(FLOORS), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dsn", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        FLOORS[args.serve_floor](args.port, args.dsn)
        return
    run(args)


if __name__ == "__main__":
    main()
