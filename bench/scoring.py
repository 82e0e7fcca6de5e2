"""Scoring throughput: the Gemini scorer against the fake server with a fixed model latency, at several
thread counts sharing one scorer (as one Functions worker process would), and the local scorer's speed.

Run from the repository root:  /work/venv/bin/python -m bench.scoring [--write-docs]
Loopback only: the fake Gemini server listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shared.scoring import GeminiScorer, LocalScorer, ScoringInput, verify_evidence
from tests.fakes.fake_gemini import FakeGemini, verdict_json
from tests.scoring.samples import WEAK_ANSWERS, grounded_verdict, interview

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
THREAD_COUNTS = (1, 2, 4, 8, 16)


@dataclass(frozen=True)
class ConcurrencyRow:
    threads: int
    requests: int
    wall_s: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_s


def bench_gemini(latency_s: float, requests_per_thread: int, max_requests: int) -> list[ConcurrencyRow]:
    scoring_input = interview()
    rows = []
    with FakeGemini(latency_s=latency_s, default=verdict_json(grounded_verdict(scoring_input))) as fake:
        scorer = GeminiScorer(fake.api_key, base_url=fake.base_url, timeout_s=30, attempts=1)
        try:
            scorer.score(scoring_input)  # warm-up: connection, schema conversion
            for threads in THREAD_COUNTS:
                total = min(max_requests, threads * requests_per_thread)
                rows.append(_run_concurrently(scorer, scoring_input, threads, total))
        finally:
            scorer.close()
    return rows


def _run_concurrently(
    scorer: GeminiScorer, scoring_input: ScoringInput, threads: int, total: int
) -> ConcurrencyRow:
    def one(_: int) -> float:
        started = time.perf_counter()
        result = scorer.score(scoring_input)
        assert result.attempts == 1 and not verify_evidence(result.verdict, scoring_input)
        return (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        latencies = list(pool.map(one, range(total)))
    return ConcurrencyRow(threads, total, time.perf_counter() - started, latencies)


def bench_local(seconds: float) -> tuple[int, float]:
    """Scores of alternating strong/weak interviews done in about `seconds`: (count, elapsed)."""
    scorer, inputs = LocalScorer(), (interview(), interview(WEAK_ANSWERS))
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        scorer.score(inputs[count % 2])
        count += 1
    return count, elapsed


def bench_import_costs() -> tuple[float, float]:
    """Seconds, in a fresh interpreter: importing shared.scoring; then creating a GeminiScorer (imports the
    SDK). Median of three runs."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import shared.scoring as s\n"
        "t1 = time.perf_counter()\n"
        "s.GeminiScorer('k', base_url='http://127.0.0.1:9').close()\n"
        "print(t1 - t0, time.perf_counter() - t1)\n"
    )
    runs = [
        [
            float(v)
            for v in subprocess.run(
                [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout.split()
        ]
        for _ in range(3)
    ]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def render(
    rows: list[ConcurrencyRow],
    latency_s: float,
    requests_per_thread: int,
    max_requests: int,
    local: tuple[int, float],
    imports: tuple[float, float],
) -> str:
    cpu = _cpu_model()
    count, elapsed = local
    lines = [
        "## Scoring",
        "",
        f"Date: {datetime.now(UTC):%Y-%m-%d}. Machine: {os.cpu_count()} cores ({cpu}), shared with "
        f"other work; Python {platform.python_version()}, google-genai {_version('google-genai')}.",
        "",
        "Method: `python -m bench.scoring`. One `GeminiScorer` (the real google-genai client) shared by N "
        "threads, against the fake Gemini server on 127.0.0.1 that answers every request with a valid "
        f"verdict after a fixed {latency_s * 1000:.0f} ms (standing in for the model's latency). Each score "
        "builds the prompt, makes one request, parses the verdict and verifies its evidence. Requests per "
        f"setting: {requests_per_thread} per thread, at most {max_requests}; one warm-up request first. "
        "'ideal' is threads / latency; 'overhead' is the median latency minus the fixed model latency.",
        "",
        "| threads | requests | wall s | scores/s | ideal/s | efficiency | p50 ms | p95 ms | overhead ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ideal = row.threads / latency_s
        p50 = statistics.median(row.latencies_ms)
        lines.append(
            f"| {row.threads} | {row.requests} | {row.wall_s:.2f} | {row.per_second:.1f} | {ideal:.0f} | "
            f"{row.per_second / ideal:.0%} | {p50:.0f} | {_percentile(row.latencies_ms, 0.95):.0f} | "
            f"{p50 - latency_s * 1000:.0f} |"
        )
    overheads = [statistics.median(row.latencies_ms) - latency_s * 1000 for row in rows]
    lines += [
        "",
        f"Local scorer (no network): {count / elapsed:,.0f} scores/s on one thread "
        f"({elapsed / count * 1000:.2f} ms per 4-question interview with a resume; {count} scores in "
        f"{elapsed:.1f} s).",
        "",
        f"Import costs (fresh interpreter, median of 3): `import shared.scoring` {imports[0] * 1000:.0f} ms "
        f"(does not import the SDK); creating the first `GeminiScorer` {imports[1] * 1000:.0f} ms (imports "
        "google.genai and builds the client), paid once per worker process.",
        "",
        "Reading: with a fixed model latency, throughput is set by how many scorings run at once. The "
        f"overhead ({min(overheads):.0f}-{max(overheads):.0f} ms at median) is CPU on these shared cores: "
        "prompt, JSON and pydantic work in the client, plus the fake server itself; it grows with the "
        "thread count as threads contend for 2 cores and the GIL. In production the limits are the Gemini "
        "quota (429s are retried by the SDK, then by Service Bus redelivery) and the Functions host's "
        "concurrency for the Service Bus trigger (maxConcurrentCalls, PYTHON_THREADPOOL_THREAD_COUNT).",
        "",
    ]
    return "\n".join(lines)


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return match.group(1).strip() if match else "unknown CPU"


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def write_section(section: str, path: Path = DOCS) -> None:
    """Replace the '## Scoring' section of docs/benchmarks.md (or add it), leaving other sections alone."""
    text = (
        path.read_text() if path.exists() else "# Benchmarks\n\nFigures measured by the scripts in bench/.\n"
    )
    pattern = re.compile(r"^## Scoring\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=500.0, help="fake model latency per request")
    parser.add_argument("--requests-per-thread", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=64)
    parser.add_argument("--local-seconds", type=float, default=3.0)
    parser.add_argument(
        "--write-docs", action="store_true", help="update the Scoring section of docs/benchmarks.md"
    )
    args = parser.parse_args()

    latency_s = args.latency_ms / 1000
    rows = bench_gemini(latency_s, args.requests_per_thread, args.max_requests)
    local = bench_local(args.local_seconds)
    imports = bench_import_costs()
    section = render(rows, latency_s, args.requests_per_thread, args.max_requests, local, imports)
    print(section)
    if args.write_docs:
        write_section(section)
        print(f"Updated {DOCS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
