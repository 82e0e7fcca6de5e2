"""Synchronous functions run in a thread pool and async ones on the host's event loop, so slow requests
overlap instead of queueing behind each other."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.devhost_server.conftest import ToyHost


def _timed_parallel(toy_host: ToyHost, paths: list[str]) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(len(paths)) as pool:
        responses = list(pool.map(toy_host.get, paths))
    assert [r.status_code for r in responses] == [200] * len(paths)
    return time.perf_counter() - started, [r.json() for r in responses]


def test_two_slow_synchronous_requests_overlap_in_worker_threads(toy_host: ToyHost) -> None:
    elapsed, bodies = _timed_parallel(toy_host, ["/api/slow?seconds=0.6", "/api/slow?seconds=0.6"])
    assert elapsed < 1.1, (
        f"the two 0.6 s requests took {elapsed:.2f} s together: they ran one after the other"
    )
    threads = {body["thread"] for body in bodies}
    assert len(threads) == 2
    assert all(name.startswith("function") for name in threads)


def test_a_slow_synchronous_function_does_not_block_other_requests(toy_host: ToyHost) -> None:
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(toy_host.get, "/api/slow?seconds=0.8")
        time.sleep(0.1)
        started = time.perf_counter()
        assert toy_host.get("/api/things/a").status_code == 200
        assert time.perf_counter() - started < 0.5  # not after the slow one (0.7 s more)
        assert slow.result().status_code == 200


def test_async_functions_run_on_the_event_loop_and_overlap(toy_host: ToyHost) -> None:
    elapsed, bodies = _timed_parallel(toy_host, ["/api/slow-async?seconds=0.6"] * 3)
    assert elapsed < 1.2, f"three 0.6 s async requests took {elapsed:.2f} s"
    assert [body["thread"] for body in bodies] == ["devhost-loop"] * 3
    assert all(body["on_loop"] for body in bodies)
