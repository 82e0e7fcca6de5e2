"""Measures GET /api/dashboard: p50/p95/p99 over N requests per scenario, at 10,000 and 100,000 interviews.

Seeds (bench/seed.py) a dedicated embedded database per size when it is missing, then calls the endpoint
  --via devhost: over HTTP through a devhost started on each size's database (the whole local stack: HTTP
      server, Functions dispatch, auth, PostgreSQL);
  --via in-process: the registered Azure Function called the way the host calls it (a func.HttpRequest
      into the user function): the same code path minus HTTP;
  --via both (default): both, side by side.
Or --url http://127.0.0.1:7071 --token TOKEN: through a host already running, against whatever database it
uses (seed it first); measures that one size.

Each scenario: --requests timed requests one after another as a viewer token, in rounds that alternate
between the sizes and ways (so all see the same background load), each round after a few warm-up requests.
With --write-docs the figures replace the "## Dashboard" section of docs/benchmarks.md.

Usage: python -m bench.dashboard [--sizes 10000 100000] [--via both] [--requests 300] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
MAX_REQUESTS = 5000
WARMUP = 20
ROUNDS = 5


@dataclass
class Result:
    size: int
    scenario: str
    timings_ms: list[float]
    via: str = "devhost"

    def percentile(self, p: float) -> float:
        ordered = sorted(self.timings_ms)
        # nearest-rank percentile
        rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
        return ordered[rank - 1]


def scenarios(busiest_job: str, today: datetime) -> list[tuple[str, dict[str, str]]]:
    week_ago = (today - timedelta(days=6)).date().isoformat()
    return [
        ("all jobs, all time", {}),
        ("one job (busiest)", {"job_id": busiest_job}),
        ("last 7 days (dates)", {"from": week_ago, "to": today.date().isoformat()}),
        (
            "last 7 days (date-times, partial edge days)",
            {"from": f"{week_ago}T12:00:00Z", "to": today.strftime("%Y-%m-%dT%H:%M:%SZ")},
        ),
    ]


@lru_cache(maxsize=1)
def dashboard_function() -> Callable[[Any], Any]:
    """The user function the Functions host would call for GET /api/dashboard."""
    import function_app

    for function in function_app.app.get_functions():
        trigger = function.get_trigger()
        if trigger.type == "httpTrigger" and trigger.route == "dashboard":
            return function.get_user_function()
    raise SystemExit("GET dashboard is not registered in function_app")


def in_process_caller(database_url: str, token: str) -> Callable[[dict[str, str]], int]:
    """Call the dashboard function as the Functions host does, with the app's settings pointing at the db."""
    os.environ["DATABASE_URL"] = database_url
    from shared import db
    from shared.settings import reset_settings_cache

    reset_settings_cache()
    db.close_pool()
    import azure.functions as func

    user_function = dashboard_function()

    def call(params: dict[str, str]) -> int:
        query = urllib.parse.urlencode(params)
        request = func.HttpRequest(
            method="GET",
            url="http://127.0.0.1:7071/api/dashboard" + ("?" + query if query else ""),
            headers={"authorization": f"Bearer {token}"},
            params=params,
            route_params={},
            body=b"",
        )
        response = user_function(request)
        response.get_body()
        return response.status_code

    return call


def http_caller(base_url: str, token: str) -> Callable[[dict[str, str]], int]:
    def call(params: dict[str, str]) -> int:
        query = urllib.parse.urlencode(params)
        request = urllib.request.Request(
            base_url.rstrip("/") + "/api/dashboard" + ("?" + query if query else ""),
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status

    return call


@contextmanager
def devhost_on(database_url: str) -> Iterator[str]:
    """A devhost (its own Azurite and data directory) serving the app on `database_url`; yields its URL."""
    from devhost.azurite import free_port
    from tests.e2e.conftest import start_devhost, stop_devhost

    data_dir = Path(tempfile.mkdtemp(prefix="dashboard-bench-"))
    host = start_devhost(
        data_dir, free_port(), {"DATABASE_URL": database_url, "DEVHOST_CONTROLLABLE_CLOCK": "0"}
    )
    try:
        yield host.url
    finally:
        stop_devhost(host)


def measure(call: Callable[[dict[str, str]], int], params: dict[str, str], requests: int) -> list[float]:
    for _ in range(WARMUP):
        status = call(params)
        if status != 200:
            raise SystemExit(f"GET /api/dashboard {params} answered {status}")
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        call(params)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def prepare_database(size: int) -> tuple[str, str, str]:
    """The seeded database for `size` (seeding it when missing), a viewer token, and the busiest job."""
    import psycopg2

    from bench.seed import default_database_url, seed
    from shared.auth import hash_token, new_token

    url = default_database_url(size)
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM interviews")
        seeded = cur.fetchone()[0]
    if seeded != size:
        seed(url, size, reset=True)
    token = new_token()
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO api_tokens (token_hash, role, label) VALUES (%s, 'viewer', 'dashboard benchmark')",
            (hash_token(token),),
        )
        cur.execute("SELECT job_id FROM interviews GROUP BY job_id ORDER BY count(*) DESC LIMIT 1")
        busiest = str(cur.fetchone()[0])
    return url, token, busiest


def write_overhead(database_url: str, updates: int = 400) -> tuple[float, float]:
    """Median ms of one autocommitted status change (in_progress <-> paused), with and without the
    dashboard triggers: what the rollups add to the interview engine's most frequent counted write."""
    import psycopg2

    conn = psycopg2.connect(database_url)
    conn.autocommit = True
    medians = []
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM interviews WHERE status = 'in_progress' LIMIT %s", (updates // 2,))
            ids = [row[0] for row in cur.fetchall()]
            for replica in (False, True):
                # session_replication_role=replica skips user triggers: the same write without the rollups.
                cur.execute(f"SET session_replication_role = {'replica' if replica else 'DEFAULT'}")
                timings = []
                for status in ("paused", "in_progress"):  # back where it started, with or without triggers
                    for interview in ids:
                        started = time.perf_counter()
                        cur.execute("UPDATE interviews SET status = %s WHERE id = %s", (status, interview))
                        timings.append((time.perf_counter() - started) * 1000)
                medians.append(statistics.median(timings))
            cur.execute("SET session_replication_role = DEFAULT")
    finally:
        conn.close()
    return medians[0], medians[1]


def report(results: list[Result]) -> list[str]:
    lines = [
        "| via | interviews | scenario | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.via} | {r.size:,} | {r.scenario} | {r.percentile(50):.1f} | {r.percentile(95):.1f} | "
            f"{r.percentile(99):.1f} | {max(r.timings_ms):.1f} |"
        )
    sizes = sorted({r.size for r in results})
    if len(sizes) == 2:
        small, large = sizes
        lines.append("")
        lines.append(f"p95 ratio {large:,} / {small:,} interviews:")
        lines.append("")
        by_key = {(r.via, r.size, r.scenario): r for r in results}
        for r in results:
            if r.size == small and (r.via, large, r.scenario) in by_key:
                ratio = by_key[(r.via, large, r.scenario)].percentile(95) / r.percentile(95)
                lines.append(f"- {r.via}, {r.scenario}: {ratio:.2f}")
    return lines


def verdict(results: list[Result], limit_ms: float = 100.0, growth: float = 2.0) -> list[str]:
    """The figures against the target: p95 under `limit_ms` at the largest size, and at most `growth` times
    the smallest size's p95."""
    sizes = sorted({r.size for r in results})
    if len(sizes) != 2:
        return []
    small, large = sizes
    by_key = {(r.via, r.size, r.scenario): r for r in results}
    slowest = max(by_key[(via, size, name)].percentile(95) for via, size, name in by_key if size == large)
    over = sorted(
        {name for via, size, name in by_key if size == small and (via, large, name) in by_key
         and by_key[(via, large, name)].percentile(95) > growth * by_key[(via, small, name)].percentile(95)}
    )  # fmt: skip
    lines = [
        f"Against the target (p95 under {limit_ms:.0f} ms at {large:,} interviews, at most {growth:g}x the p95 at "
        f"{small:,}): the slowest p95 at {large:,} is {slowest:.1f} ms "
        f"({'met' if slowest < limit_ms else 'not met'}); growth "
        + ("within the bound in every scenario." if not over else f"over {growth:g}x in: {', '.join(over)}.")
    ]
    if any("partial edge days" in name for name in over):
        lines.append(
            "A window given as date-times with edges inside a day is the one request whose cost follows the "
            "volume: its two partial days are computed from those days' interviews (about 1,700 a day at "
            "100,000 interviews here), because a rollup finer than a day would hold about one row per "
            "interview at this volume and slow every other request. The default request, one job, and "
            "windows given as dates stay within the bound."
        )
    return lines


def write_docs(section_body: list[str]) -> None:
    """Replace (or add) the '## Dashboard' section of docs/benchmarks.md, leaving other sections alone."""
    DOCS.parent.mkdir(exist_ok=True)
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    section = ["## Dashboard", "", *section_body, ""]
    try:
        start = lines.index("## Dashboard")
    except ValueError:
        new = [*lines, "", *section] if lines and lines[-1] != "" else [*lines, *section]
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        new = lines[:start] + section + lines[end:]
    DOCS.write_text("\n".join(new).rstrip("\n") + "\n", encoding="utf-8")


def machine() -> str:
    memory = ""
    try:
        kib = int(
            next(
                x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")
            ).split()[1]
        )
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument(
        "--requests", type=int, default=300, help=f"timed requests per scenario (max {MAX_REQUESTS})"
    )
    parser.add_argument("--via", choices=("devhost", "in-process", "both"), default="both")
    parser.add_argument("--url", help="measure through a host already running at this base URL instead")
    parser.add_argument("--token", help="API token for --url (viewer role or above)")
    parser.add_argument("--job-id", help="with --url: the job for the one-job scenario")
    parser.add_argument("--write-docs", action="store_true", help="write the figures to docs/benchmarks.md")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    today = datetime.now(UTC)
    results: list[Result] = []
    overheads: list[str] = []
    if args.url:
        if not args.token:
            parser.error("--url needs --token")
        call = http_caller(args.url, args.token)
        for name, params in scenarios(args.job_id or "", today):
            if "job_id" in params and not args.job_id:
                continue
            results.append(Result(0, name, measure(call, params, args.requests), "host"))
            print(json.dumps({"scenario": name, "p95_ms": round(results[-1].percentile(95), 1)}))
        method = f"through the host at {args.url} over HTTP"
    else:
        ways = ("devhost", "in-process") if args.via == "both" else (args.via,)
        prepared = {size: prepare_database(size) for size in args.sizes}
        with ExitStack() as hosts:
            devhost_urls = {
                size: hosts.enter_context(devhost_on(url)) for size, (url, _t, _b) in prepared.items()
            } if "devhost" in ways else {}  # fmt: skip
            timings: dict[tuple[str, int, str], list[float]] = {}
            # The machine is shared: sizes and ways take turns in rounds, so all see the same background load.
            per_round = max(1, args.requests // ROUNDS)
            for round_number in range(ROUNDS):
                count = per_round if round_number < ROUNDS - 1 else args.requests - per_round * (ROUNDS - 1)
                for size, (url, token, busiest) in prepared.items():
                    for via in ways:
                        if via == "devhost":
                            call = http_caller(devhost_urls[size], token)
                        else:
                            call = in_process_caller(url, token)
                        for name, params in scenarios(busiest, today):
                            timings.setdefault((via, size, name), []).extend(measure(call, params, count))
        for (via, size, name), values in timings.items():
            results.append(Result(size, name, values, via))
            r = results[-1]
            print(
                f"{via:<10} {size:>7} {name:<46} p50 {r.percentile(50):6.1f} ms  p95 {r.percentile(95):6.1f} ms"
            )
        for size, (url, _token, _busiest) in prepared.items():
            with_triggers, without = write_overhead(url)
            overheads.append(
                f"- {size:,} interviews: {with_triggers:.2f} ms with the triggers, {without:.2f} ms without"
            )
        method = {
            "devhost": "over HTTP through devhost (started on each size's database by the benchmark)",
            "in-process": "in-process: the registered function called as the Functions host calls it",
            "both": "over HTTP through devhost (started on each size's database by the benchmark) and, for "
            "comparison, in-process (the registered function called as the Functions host calls it)",
        }[args.via]
    lines = report(results)
    if overheads:
        lines += [
            "",
            "One status change of one interview (median of autocommitted UPDATEs, in_progress <-> paused):",
            "",
        ]
        lines += overheads
    print("\n".join(lines))
    if args.write_docs:
        write_docs(
            [
                f"Measured {today.date().isoformat()} on {machine()} with `python -m bench.dashboard"
                f"{' --url ' + args.url if args.url else ' --via ' + args.via} --requests {args.requests}"
                " --write-docs`.",
                "",
                f"Method: {method}; a viewer token (looked up in PostgreSQL, as in production); "
                f"{args.requests} sequential timed requests per scenario and size, taken in {ROUNDS} rounds "
                f"that alternate between the sizes (each after {WARMUP} warm-up requests), so that both "
                "sizes see the same background load on this shared machine; "
                "embedded PostgreSQL 16 on the same machine. Data: `python -m bench.seed --interviews N` "
                "(200 jobs, ~14 questions each, interviews over 60 days in every status, ~10 answers per "
                "interview, scores with 10% rescored).",
                f"Load average when the run ended: {os.getloadavg()[0]:.1f} (other work shares the machine).",
                "",
                *lines,
                "",
                "Reading the figures: the default request (all jobs, all time) reads about one rollup row per "
                "job and day (12,000 at 100,000 interviews over 60 days), so it grows with jobs x days, not "
                "with interviews or answers. One job's median reads that job's completed interviews (an "
                "index-only scan). A date-time window whose edges fall inside a day computes those partial "
                "days from the interviews themselves, so it grows with one day's volume: prefer dates. "
                "The status change figures are what the triggers add to the interview engine's writes. "
                "Through devhost, HTTP and devhost's dispatch add a few milliseconds to the in-process figures.",
                "",
                *verdict(results),
            ]
        )
        print(f"wrote the Dashboard section of {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
