"""How fast is struggle detection? It runs inside the Twilio webhook on every answer.

Prints calls per second for short non-answers, typical answers and long answers, first call per distinct
reply (cold caches) and repeated. Usage: python bench/struggle.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.interview.struggle import is_struggling  # noqa: E402

SAMPLES = {
    "short non-answers": ["idk", "no idea", "I don't know, sorry", "??", "🤷", "hmm not sure", "say again?"],
    "typical answers": [
        "I don't know Java but I've used Kotlin for 3 years",
        "Not sure about the exact number, but we grew revenue 40%",
        "Yes, I have a forklift license",
        "About 5 years in retail, 2 as a shift lead",
    ],
    "long answers (~1,000 chars)": [
        "At my last job I ran the night shift for a warehouse of 40 people, handled scheduling, safety "
        "audits and onboarding, and cut picking errors by a third by reorganising the slotting. " * 6
    ],
}


def calls_per_second(replies: list[str], seconds: float) -> float:
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for reply in replies:
            is_struggling(reply)
        calls += len(replies)
    return calls / elapsed


def distinct_calls_per_second(replies: list[str], count: int) -> float:
    """Every reply made unique (a serial number appended) so no per-token memo helps twice."""
    unique = [f"{replies[i % len(replies)]} {i}" for i in range(count)]
    start = time.perf_counter()
    for reply in unique:
        is_struggling(reply)
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="measuring time per sample set")
    args = parser.parse_args()
    print(f"{'sample set':30} {'calls/s (repeated)':>20} {'calls/s (distinct)':>20}")
    for name, replies in SAMPLES.items():
        repeated = calls_per_second(replies, args.seconds)
        distinct = distinct_calls_per_second(replies, 2000)
        print(f"{name:30} {repeated:20,.0f} {distinct:20,.0f}")


if __name__ == "__main__":
    main()
