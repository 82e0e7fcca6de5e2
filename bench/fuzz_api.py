"""Hostile input at full size: schemathesis against every API operation of a fresh devhost, and the Twilio
webhook properties, with many more cases than `make test` runs.

The API part runs the same code as tests/hostile/test_api_fuzz.py (tests/hostile/api_fuzz.py and its hooks:
every phase, real ids, a fresh resource per destructive call, signed webhooks) with --examples cases per
operation, then prints the statuses each operation answered. The webhook part runs
tests/hostile/test_webhook_fuzz.py with HOSTILE_FUZZ_EXAMPLES=--examples. Exit status 1 if anything failed.

Usage: python -m bench.fuzz_api [--examples 500] [--seed N] [--only api|webhooks]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fuzz_api(examples: int, seed: int | None) -> bool:
    from devhost.azurite import free_port
    from tests.conftest import traversable_temp_dir
    from tests.e2e.conftest import start_devhost, stop_devhost
    from tests.hostile.api_fuzz import run_schemathesis
    from tests.hostile.webhook_support import TWILIO_AUTH_TOKEN

    workdir = traversable_temp_dir("fuzz-bench", keep=True)
    host = start_devhost(workdir, free_port(), extra_env={"TWILIO_AUTH_TOKEN": TWILIO_AUTH_TOKEN})
    try:
        run = run_schemathesis(host.url, host.token, workdir, examples, seed=seed, timeout=4 * 3600)
    finally:
        stop_devhost(host)
    figures = run.figures
    print(f"\nAPI: {figures.get('operations', 0)} operations, {figures.get('requests', 0):,} requests, "
          f"{run.seconds:.0f} s, schemathesis exit status {run.returncode}\n")  # fmt: skip
    totals: Counter = Counter()
    print(f"{'operation':45} statuses (count)")
    for operation, statuses in figures.get("by_operation", {}).items():
        totals.update(statuses)
        print(f"{operation:45} " + ", ".join(f"{status}: {count}" for status, count in statuses.items()))
    print(f"{'all':45} " + ", ".join(f"{status}: {count}" for status, count in sorted(totals.items())))
    print(run.summary)
    if run.returncode != 0:
        print(run.output[-20000:])
        print(f"(devhost log and data kept in {workdir})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)  # the embedded database and Azurite's files
    return run.returncode == 0


def fuzz_webhooks(examples: int) -> bool:
    env = {**os.environ, "HOSTILE_FUZZ_EXAMPLES": str(examples)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/hostile/test_webhook_fuzz.py", "-q", "-p", "no:cacheprovider"],
                          cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    print(f"\nWebhooks: HOSTILE_FUZZ_EXAMPLES={examples} ({examples * 8:,} signed inbound forms, {examples * 4:,} "
          f"forged, {examples * 4:,} status callbacks signed and forged), {time.monotonic() - started:.0f} s")  # fmt: skip
    print(done.stdout[-4000:] if done.returncode else done.stdout.strip().splitlines()[-1])
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=500, help="cases per operation / per webhook property unit"
    )
    parser.add_argument("--seed", type=int, default=None, help="schemathesis seed, to repeat a run")
    parser.add_argument("--only", choices=["api", "webhooks"], default=None)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{platform.machine()}, examples {args.examples}")  # fmt: skip
    ok = True
    if args.only in (None, "api"):
        ok &= fuzz_api(args.examples, args.seed)
    if args.only in (None, "webhooks"):
        ok &= fuzz_webhooks(args.examples)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
