"""Runs a task hub in its own process so a test can kill it with SIGKILL mid-instance.

Usage: python -m tests.devhost.crash_worker DSN HUB_NAME INSTANCE_ID  (env: DEVHOST_TEST_STEP_LOG, ...)
"""

from __future__ import annotations

import logging
import sys
import time

from devhost.clock import Clock
from devhost.durable import TaskHub
from tests.devhost.toy_app import registry


def main() -> None:
    dsn, hub_name, instance_id = sys.argv[1:4]
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    functions = registry()
    hub = TaskHub(
        dsn,
        functions.orchestrators,
        functions.activities,
        functions.activity_param_names,
        Clock(),
        hub_name=hub_name,
        max_workers=2,
    )
    hub.start()
    hub.start_new("crash_course", instance_id)
    while True:  # until killed
        time.sleep(1)


if __name__ == "__main__":
    main()
