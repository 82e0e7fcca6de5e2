"""Measures what `import function_app` adds to a bare interpreter: the Functions cold-start share we own.

Runs each variant in fresh interpreters (N times, median and max), and lists which cloud SDKs the import
pulled in. Usage: python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import sys, time, json
t = time.perf_counter()
{stmt}
elapsed = time.perf_counter() - t
sdks = [m for m in ("azure.storage.blob", "azure.data.tables", "azure.servicebus", "google.genai", "twilio",
                    "psycopg2", "pypdf", "docx", "phonenumbers", "azure.identity") if m in sys.modules]
print(json.dumps({{"seconds": elapsed, "sdks": sdks}}))
"""


def measure(stmt: str, runs: int) -> tuple[list[float], list[str]]:
    times, sdks = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(stmt=stmt)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times.append(result["seconds"])
        sdks = result["sdks"]
    return times, sdks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = [
        (
            "azure.functions + azure.durable_functions (the platform's share)",
            "import azure.durable_functions",
        ),
        ("import function_app (everything)", "import function_app"),
    ]
    print(f"{'what':<66} {'median s':>9} {'max s':>7}")
    for label, stmt in rows:
        times, sdks = measure(stmt, args.runs)
        print(f"{label:<66} {statistics.median(times):>9.3f} {max(times):>7.3f}")
    print("SDKs imported by function_app:", ", ".join(sdks) or "none")


if __name__ == "__main__":
    main()
