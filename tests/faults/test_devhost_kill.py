"""devhost killed with SIGKILL in the middle of a load and restarted on the same data and port: every
interview still finishes with exactly the answers sent, no question texted twice, nothing lost. Candidates
(the load driver) keep texting through the outage; deliveries that fail are retried with the same
MessageSid, as Twilio does."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest

from bench.load import LoadConfig, run_load
from devhost.azurite import free_port
from tests.conftest import traversable_temp_dir
from tests.e2e.conftest import DevhostClient, start_devhost, stop_devhost
from tests.faults.conftest import RestartablePostgres, child_pids, process_alive

pytestmark = pytest.mark.e2e

KILL_AFTER_ANSWERS = 30


def test_sigkill_mid_load_then_restart_finishes_every_interview_exactly(postgres: RestartablePostgres):
    data_dir, port = traversable_temp_dir("faults-kill"), free_port()
    # The database is the test's own, so that it outlives the killed devhost and is stopped at the end.
    env = {"DEVHOST_CONTROLLABLE_CLOCK": "0", "DATABASE_URL": postgres.url("devhost_kill")}
    hosts: list[DevhostClient] = [start_devhost(data_dir, port, env)]
    orphans: list[int] = []
    restarted = threading.Event()
    restarter: list[threading.Thread] = []

    def kill_and_restart() -> None:
        victim = hosts[-1]
        children = child_pids(victim.process.pid)  # Azurite, which a SIGKILLed parent leaves running
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait()
        orphans.extend(children)
        for pid in children:  # not two Azurites on one data directory
            if process_alive(pid):
                os.kill(pid, signal.SIGTERM)
        hosts.append(start_devhost(data_dir, port, env))
        restarted.set()

    async def between_answers(answered: int) -> None:
        if answered == KILL_AFTER_ANSWERS and not restarter:
            restarter.append(threading.Thread(target=kill_and_restart, daemon=True))
            restarter[0].start()

    config = LoadConfig(interviews=30, questions=3, concurrency=16, think_seconds=0.3, double_text=0.2,
                        retries=0.2, exchange="559", timeout=300, settle_timeout=120)  # fmt: skip
    try:
        result = asyncio.run(run_load(hosts[0].url, hosts[0].token, config, between_answers=between_answers))
        assert restarted.is_set(), "devhost was not restarted during the load"
        assert result.failed_deliveries > 0  # the kill did hit traffic: texts had to be delivered again
        assert result.problems == []
        assert result.answers == 90
    finally:
        if restarter:
            restarter[0].join(120)
        stop_devhost(hosts[-1])
        for pid in orphans:
            if process_alive(pid):
                os.kill(pid, signal.SIGTERM)
