"""`python -m devhost [--port 7071] [--controllable-clock]`: the whole system on one machine."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devhost", description="Run Interview AI locally.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "7071")))
    parser.add_argument(
        "--controllable-clock",
        action="store_true",
        default=os.environ.get("DEVHOST_CONTROLLABLE_CLOCK", "") in ("1", "true", "yes"),
        help="let POST /dev/clock/advance move time forward (tests)",
    )
    args = parser.parse_args(argv)
    # Known, harmless noise: pgserver asks for a runtime dir headless machines lack; the Durable library warns
    # about events it buffered for waits that a timer already won.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    warnings.filterwarnings("ignore", message="Potential duplicate Task completion")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    for noisy in (
        "azure",
        "aiohttp.access",
        "urllib3",
        "twilio.http_client",
        "httpx",
        "google_genai",
        "pgserver",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from shared.observability import install_log_masking

    install_log_masking()
    from devhost.functions_index import UnsupportedFunction
    from devhost.host import serve

    try:
        asyncio.run(serve(args.port, args.controllable_clock))
    except UnsupportedFunction as exc:
        print(f"devhost: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
