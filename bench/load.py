"""Load through devhost: many SMS interviews at once, candidates answering with signed webhooks.

Every simulated candidate waits for its next question, thinks for a random moment, and texts its answer
through devhost's phone (`POST /dev/sms/inbound`, which posts a signed webhook exactly as Twilio does).
Some candidates double-text their last answer (a second message right after the first: it must be joined
to that answer), and some answers are delivered twice with the same MessageSid (a Twilio retry: it must
change nothing), either right after the first delivery or overlapping it. A delivery that fails (devhost
unreachable, a 5xx) is retried with the same MessageSid, as Twilio would.

New outbound messages are followed with one long-polling reader of `GET /dev/sms/outbox?since=<seq>`.
Answer -> next question latency is the server-side `created_at` of the next question in the fake Twilio's
store minus the moment the answer's webhook returned (so polling adds no bias).

At the end every interview is checked through the API: completed, answers exactly the texts sent (double
texts joined with a newline), a score; and the fake Twilio's outbox holds each question exactly once per
interview, no reminder, one thank-you.

    python -m bench.load --interviews 500 --questions 5 --concurrency 64
    python -m bench.load --url http://127.0.0.1:7071 --token <admin token>   # against a running devhost

Without --url it starts its own devhost (real clock) on a free port with its data in a temporary
directory. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

QUESTION = re.compile(r"^Q(\d+)/(\d+): ")
THANKS_PREFIX = "That's all our questions"
PHONE_TZ = ZoneInfo("America/Los_Angeles")  # +1 415 numbers map to Pacific time


@dataclass
class LoadConfig:
    interviews: int = 500
    questions: int = 5
    concurrency: int = 64  # webhook deliveries in flight at most
    rate: float = 0.0  # answers sent per second at most (0: as fast as candidates answer)
    think_seconds: float = 1.0  # a candidate answers after a random delay in [0, think_seconds]
    double_text: float = 0.1  # share of candidates who send their last answer as two texts
    retries: float = 0.1  # share of answers delivered twice with the same MessageSid
    seed: int = 1
    exchange: str = "555"  # phones are +1 415 <exchange> <4 digits>; distinct per run on a shared devhost
    setup_concurrency: int = 8
    timeout: float = 900.0  # the whole run, setup to verification
    settle_timeout: float = 180.0  # after the last answer: completions, scores


@dataclass
class Candidate:
    index: int
    phone: str
    interview_id: str = ""
    texts: list[list[str]] = field(default_factory=list)  # per question: the texts sent for it
    questions_seen: dict[int, dict[str, Any]] = field(default_factory=dict)  # position -> first message
    outbound: list[dict[str, Any]] = field(default_factory=list)
    answered_at: dict[int, float] = field(default_factory=dict)  # position -> epoch s the webhook returned
    texted_at: dict[int, float] = field(default_factory=dict)  # position -> epoch s the answer was texted
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class LoadResult:
    config: LoadConfig
    answers: int = 0
    texts_sent: int = 0
    deliberate_retries: int = 0
    failed_deliveries: int = 0  # connection errors or 5xx, delivered again with the same MessageSid
    setup_seconds: float = 0.0
    window_seconds: float = 0.0  # first answer sent -> last answer's next message stored
    completed_seconds: float = 0.0  # first answer sent -> every interview verified completed and scored
    latencies_ms: list[float] = field(default_factory=list)  # answer webhook returned -> next question
    thanks_latencies_ms: list[float] = field(default_factory=list)  # last answer -> thank-you
    # answer texted (POST /dev/sms/inbound sent) -> next question: includes the webhook's own time
    from_text_ms: list[float] = field(default_factory=list)
    webhook_ms: list[float] = field(default_factory=list)  # POST /dev/sms/inbound round trips
    problems: list[str] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # during the answers, by process group
    # (seconds since the first answer, question answered, latency ms) per answer that has a next message
    samples: list[tuple[float, int, float]] = field(default_factory=list)

    @property
    def answers_per_second(self) -> float:
        return self.answers / self.window_seconds if self.window_seconds > 0 else 0.0

    def summary(self) -> str:
        lines = [
            f"interviews {self.config.interviews} x {self.config.questions} questions, concurrency "
            f"{self.config.concurrency}, rate {self.config.rate or 'unlimited'}, think 0-{self.config.think_seconds} s",
            f"setup (job, candidates, interviews through the API, first questions sent): {self.setup_seconds:.1f} s",
            f"answers {self.answers} ({self.texts_sent} texts, {self.deliberate_retries} deliberate retries, "
            f"{self.failed_deliveries} failed deliveries redelivered)",
            f"throughput: {self.answers_per_second:.1f} answers/s end to end ({self.window_seconds:.1f} s from "
            f"the first answer to the last answer's next message)",
            f"answer -> next question: {describe(self.latencies_ms)}",
            f"answer texted (before its webhook) -> next question: {describe(self.from_text_ms)}",
            f"last answer -> thank-you: {describe(self.thanks_latencies_ms)}",
            f"webhook round trip (POST /dev/sms/inbound): {describe(self.webhook_ms)}",
            f"all completed and scored {self.completed_seconds:.1f} s after the first answer",
            *(
                [
                    "CPU while answering: "
                    + ", ".join(
                        f"{name} {seconds:.1f} s ({seconds * 1000 / max(self.answers, 1):.1f} ms/answer)"
                        for name, seconds in self.cpu_seconds.items()
                    )
                ]
                if self.cpu_seconds
                else []
            ),
            "correctness: " + ("OK" if not self.problems else f"{len(self.problems)} problem(s)"),
        ]
        lines += [f"  - {problem}" for problem in self.problems[:20]]
        return "\n".join(lines)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def describe(values: list[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, "
        f"p99 {percentile(values, 0.99):.0f} ms, max {max(values):.0f} ms ({len(values)} samples)"
    )


def answer_text(candidate: int, position: int) -> str:
    return f"Answer {position} from candidate {candidate}: I built data pipelines in Python for years."


class LoadRun:
    def __init__(self, base_url: str, token: str, config: LoadConfig,
                 between_answers: Callable[[int], Awaitable[None]] | None = None) -> None:  # fmt: skip
        """`between_answers(answers_so_far)` is awaited by the driver after each answer is delivered (fault
        tests use it to break something mid-load); it must return quickly."""
        self.url = base_url.rstrip("/")
        self.token = token
        self.config = config
        self.between_answers = between_answers
        self.random = random.Random(config.seed)
        self.result = LoadResult(config)
        self.candidates: list[Candidate] = []
        self.by_phone: dict[str, Candidate] = {}
        self.cursor = 0
        self.slots = asyncio.Semaphore(config.concurrency)
        self.next_slot = 0.0
        self.rate_lock = asyncio.Lock()
        self.deadline = 0.0
        self.first_answer: float | None = None
        self.answers_delivered = 0
        self.stop_reading = asyncio.Event()
        self.session: aiohttp.ClientSession | None = None
        self.cpu_meter: CpuMeter | None = None

    # --- HTTP --------------------------------------------------------------------------------------------
    async def api(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        assert self.session is not None
        for attempt in range(60):
            try:
                async with self.session.request(method, self.url + path, json=body,
                                                headers={"Authorization": f"Bearer {self.token}"}) as response:  # fmt: skip
                    if response.status >= 500 and attempt < 59:
                        await asyncio.sleep(0.5)
                        continue
                    payload = await response.json(content_type=None)
                    if response.status >= 300:
                        raise AssertionError(f"{method} {path}: {response.status} {str(payload)[:300]}")
                    return payload
            except (aiohttp.ClientConnectionError, TimeoutError):
                if time.monotonic() > self.deadline:
                    raise
                await asyncio.sleep(0.5)
        raise AssertionError(f"{method} {path}: no answer")

    async def deliver(self, phone: str, body: str, sid: str) -> float:
        """Text `body` from `phone` with `sid` until the webhook accepts it; returns when it returned (epoch s)."""
        assert self.session is not None
        while True:
            started = time.perf_counter()
            try:
                async with self.session.post(self.url + "/dev/sms/inbound",
                                             json={"from": phone, "body": body, "sid": sid}) as response:  # fmt: skip
                    await response.read()
                    status = response.status
            except (aiohttp.ClientConnectionError, TimeoutError):
                status = 0
            returned = time.time()
            if status == 200:
                self.result.webhook_ms.append((time.perf_counter() - started) * 1000)
                return returned
            if status not in (0,) and status < 500:
                raise AssertionError(f"the webhook refused a text from {phone}: {status}")
            self.result.failed_deliveries += 1
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"could not deliver a text from {phone} before the deadline")
            await asyncio.sleep(0.2 + self.random.random() * 0.3)

    async def paced(self) -> None:
        """Wait for this answer's turn under --rate."""
        if self.config.rate <= 0:
            return
        async with self.rate_lock:
            now = time.monotonic()
            self.next_slot = max(self.next_slot, now)
            wait = self.next_slot - now
            self.next_slot += 1.0 / self.config.rate
        if wait > 0:
            await asyncio.sleep(wait)

    # --- following the outbox ----------------------------------------------------------------------------
    async def read_outbox(self) -> None:
        assert self.session is not None
        while not self.stop_reading.is_set():
            try:
                async with self.session.get(self.url + "/dev/sms/outbox",
                                            params={"since": str(self.cursor), "wait": "2"}) as response:  # fmt: skip
                    if response.status != 200:
                        await asyncio.sleep(0.2)
                        continue
                    page = await response.json()
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.2)
                continue
            if "next" not in page:
                raise RuntimeError("this devhost's /dev/sms/outbox does not follow a `since` cursor")
            for message in page["messages"]:
                candidate = self.by_phone.get(message["to"])
                if candidate is None:
                    continue
                candidate.outbound.append(message)
                match = QUESTION.match(message["body"])
                if match:
                    candidate.questions_seen.setdefault(int(match.group(1)), message)
                candidate.wakeup.set()
            self.cursor = page["next"]

    async def next_message(self, candidate: Candidate, ready: Callable[[], bool]) -> None:
        while not ready():
            if time.monotonic() > self.deadline:
                raise TimeoutError(
                    f"{candidate.phone} waited too long (saw {sorted(candidate.questions_seen)})"
                )
            candidate.wakeup.clear()
            try:
                await asyncio.wait_for(candidate.wakeup.wait(), timeout=5)
            except TimeoutError:
                pass

    # --- the candidates ----------------------------------------------------------------------------------
    async def setup(self) -> None:
        cfg = self.config
        now = datetime.fromisoformat((await self.get_json("/dev/clock"))["now"]).astimezone(PHONE_TZ)
        quiet_start = (now + timedelta(hours=12)).replace(second=0, microsecond=0)
        job = await self.api("POST", "/api/jobs", {
            "title": "Load test engineer", "requirements": ["Python"],
            "questions": [{"text": f"Load question {n}: tell us about your work?"} for n in range(1, cfg.questions + 1)],
            "interview_settings": {"greeting_enabled": False, "answer_timeout_minutes": 60, "reminder_count": 1,
                                   "reminder_interval_minutes": 60, "quiet_hours_start": f"{quiet_start:%H:%M}",
                                   "quiet_hours_end": f"{quiet_start + timedelta(minutes=1):%H:%M}"},
        })  # fmt: skip
        for index in range(cfg.interviews):
            phone = f"+1415{cfg.exchange}{index:04d}"
            candidate = Candidate(index, phone)
            self.candidates.append(candidate)
            self.by_phone[phone] = candidate
        gate = asyncio.Semaphore(cfg.setup_concurrency)

        async def create(candidate: Candidate) -> None:
            async with gate:
                created = await self.api("POST", "/api/candidates", {
                    "name": f"Load Candidate {candidate.index}", "phone": candidate.phone, "sms_consent": True,
                })  # fmt: skip
                interview = await self.api("POST", "/api/interviews",
                                           {"candidate_id": created["id"], "job_id": job["id"]})  # fmt: skip
                candidate.interview_id = interview["id"]

        await asyncio.gather(*(create(c) for c in self.candidates))

    async def settle_after_setup(self) -> None:
        """Every first question delivered and devhost idle (its delivery statuses handled too), so the answers
        are measured on their own, not behind the work of starting the interviews."""
        for candidate in self.candidates:
            await self.next_message(candidate, lambda c=candidate: 1 in c.questions_seen)
        assert self.session is not None
        try:
            async with self.session.post(self.url + "/dev/idle", params={"timeout": "120"}) as response:
                await response.read()
        except (aiohttp.ClientError, TimeoutError):
            pass  # a measurement nicety, not a condition of the run

    async def get_json(self, path: str) -> Any:
        assert self.session is not None
        async with self.session.get(self.url + path) as response:
            return await response.json()

    async def candidate(self, candidate: Candidate) -> None:
        cfg = self.config
        rng = random.Random(cfg.seed * 100_003 + candidate.index)
        double_texts = rng.random() < cfg.double_text
        for position in range(1, cfg.questions + 1):
            await self.next_message(candidate, lambda p=position: p in candidate.questions_seen)
            await asyncio.sleep(rng.random() * cfg.think_seconds)
            await self.paced()
            body = answer_text(candidate.index, position)
            sid = f"SM{candidate.index:08d}{position:04d}{rng.getrandbits(64):016x}{0:04x}"
            retry = rng.random() < cfg.retries
            overlap = rng.random() < 0.5
            async with self.slots:
                texted = time.time()
                if self.first_answer is None:
                    self.first_answer = texted
                candidate.texted_at[position] = texted
                if retry and overlap:  # Twilio retried while the first delivery was still being handled
                    returned, _ = await asyncio.gather(
                        self.deliver(candidate.phone, body, sid), self.deliver(candidate.phone, body, sid)
                    )
                else:
                    returned = await self.deliver(candidate.phone, body, sid)
                candidate.answered_at[position] = returned
                texts = [body]
                if retry and not overlap:
                    await self.deliver(candidate.phone, body, sid)
                if retry:
                    self.result.deliberate_retries += 1
                if double_texts and position == cfg.questions:
                    second = f"(and one more thing from candidate {candidate.index})"
                    await self.deliver(candidate.phone, second, sid[:-4] + "0001")
                    texts.append(second)
            candidate.texts.append(texts)
            self.result.texts_sent += len(texts)
            self.answers_delivered += 1
            if self.between_answers is not None:
                await self.between_answers(self.answers_delivered)

    # --- the run -----------------------------------------------------------------------------------------
    async def run(self) -> LoadResult:
        cfg = self.config
        self.deadline = time.monotonic() + cfg.timeout
        timeout = aiohttp.ClientTimeout(total=60)
        connector = aiohttp.TCPConnector(limit=cfg.concurrency * 2 + 16)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            self.session = session
            started = time.perf_counter()
            reader = asyncio.get_running_loop().create_task(self.read_outbox())
            try:
                await self.setup()
                await self.settle_after_setup()
                self.result.setup_seconds = time.perf_counter() - started
                if self.cpu_meter is not None:
                    self.cpu_meter.begin()
                await asyncio.gather(*(self.candidate(c) for c in self.candidates))
                self.result.answers = sum(len(c.texts) for c in self.candidates)
                await self.wait_for_thanks()
                if self.cpu_meter is not None:
                    self.result.cpu_seconds = self.cpu_meter.used()
                self.measure()
                await self.verify()
            finally:
                self.stop_reading.set()
                reader.cancel()
                try:
                    await reader
                except asyncio.CancelledError:
                    pass
        return self.result

    async def wait_for_thanks(self) -> None:
        self.deadline = time.monotonic() + self.config.settle_timeout
        for candidate in self.candidates:
            try:
                await self.next_message(
                    candidate,
                    lambda c=candidate: any(m["body"].startswith(THANKS_PREFIX) for m in c.outbound),
                )
            except TimeoutError:
                self.result.problems.append(f"{candidate.interview_id}: no thank-you message")

    def measure(self) -> None:
        cfg = self.config
        last_stored = 0.0
        for candidate in self.candidates:
            thanks = next((m for m in candidate.outbound if m["body"].startswith(THANKS_PREFIX)), None)
            for position, returned in candidate.answered_at.items():
                following = candidate.questions_seen.get(position + 1) if position < cfg.questions else thanks
                if following is None:
                    continue
                stored = datetime.fromisoformat(following["created_at"]).timestamp()
                last_stored = max(last_stored, stored)
                target = (
                    self.result.latencies_ms if position < cfg.questions else self.result.thanks_latencies_ms
                )
                target.append((stored - returned) * 1000)
                if position < cfg.questions:
                    self.result.from_text_ms.append((stored - candidate.texted_at[position]) * 1000)
                since_first = returned - (self.first_answer or returned)
                self.result.samples.append((since_first, position, (stored - returned) * 1000))
        if self.first_answer is not None:
            self.result.window_seconds = max(0.0, last_stored - self.first_answer)

    async def verify(self) -> None:
        """Every interview completed, answered exactly as sent and scored; every question texted once."""
        cfg = self.config
        deadline = time.monotonic() + cfg.settle_timeout
        pending = list(self.candidates)
        gate = asyncio.Semaphore(8)

        async def check(candidate: Candidate) -> str | None:
            async with gate:
                detail = await self.api("GET", f"/api/interviews/{candidate.interview_id}")
            expected = ["\n".join(texts) for texts in candidate.texts]
            answers = [a["text"] for a in detail["answers"]]
            if detail["status"] != "completed":
                return f"status {detail['status']}"
            if answers != expected:
                return f"answers {answers!r} != sent {expected!r}"
            if detail["score"] is None:
                return f"no score yet (score_status {detail['score_status']})"
            return None

        last: dict[str, str] = {}
        while pending:
            outcomes = await asyncio.gather(*(check(c) for c in pending))
            last = {c.interview_id: o for c, o in zip(pending, outcomes, strict=True) if o is not None}
            pending = [c for c in pending if c.interview_id in last]
            if not pending or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        if self.first_answer is not None:
            self.result.completed_seconds = time.time() - self.first_answer
        self.result.problems += [f"{interview}: {problem}" for interview, problem in last.items()]

        # The fake Twilio's whole store, read afresh (not what the reader saw on the way).
        sent: dict[str, list[str]] = defaultdict(list)
        cursor = 0
        while True:
            page = await self.get_json(f"/dev/sms/outbox?since={cursor}&limit=5000")
            for message in page["messages"]:
                if message["to"] in self.by_phone:
                    sent[message["to"]].append(message["body"])
            if not page["messages"]:
                break
            cursor = page["next"]
        for candidate in self.candidates:
            bodies = sent[candidate.phone]
            numbers = [int(m.group(1)) for m in map(QUESTION.match, bodies) if m]
            if numbers != list(range(1, cfg.questions + 1)):
                self.result.problems.append(f"{candidate.interview_id}: questions texted {numbers}")
            thanks = [b for b in bodies if b.startswith(THANKS_PREFIX)]
            others = [b for b in bodies if not QUESTION.match(b) and not b.startswith(THANKS_PREFIX)]
            if len(thanks) != 1 or others:
                self.result.problems.append(
                    f"{candidate.interview_id}: {len(thanks)} thank-you(s), other texts {others[:3]!r}"
                )


async def run_load(base_url: str, token: str, config: LoadConfig,
                   between_answers: Callable[[int], Awaitable[None]] | None = None,
                   cpu_meter: CpuMeter | None = None) -> LoadResult:  # fmt: skip
    run = LoadRun(base_url, token, config, between_answers)
    run.cpu_meter = cpu_meter
    return await run.run()


class CpuMeter:
    """CPU seconds used by devhost (and its children: Azurite), its PostgreSQL server and this process.

    Read from /proc (Linux), so it says what each answer costs whatever else shares the machine."""

    def __init__(self, devhost_pid: int, postgres_dir: Path | None) -> None:
        self.devhost_pid = devhost_pid
        self.postgres_dir = str(postgres_dir) if postgres_dir else None
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.start: dict[str, float] = {}

    def _processes(self) -> list[tuple[int, int, str, float]]:
        """(pid, parent pid, command line, CPU seconds) of every process we can read."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            found.append(
                (int(entry.name), int(fields[1]), cmdline, (int(fields[11]) + int(fields[12])) / self.ticks)
            )
        return found

    def sample(self) -> dict[str, float]:
        processes = self._processes()
        children: dict[int, list[int]] = defaultdict(list)
        for pid, parent, _cmd, _cpu in processes:
            children[parent].append(pid)
        cpu = {pid: seconds for pid, _parent, _cmd, seconds in processes}

        def tree(root: int) -> list[int]:
            pids, todo = [], [root]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo += children.get(pid, [])
            return pids

        devhost_tree = tree(self.devhost_pid)
        azurite = [p for p in devhost_tree if p != self.devhost_pid]
        postgres: list[int] = []
        if self.postgres_dir:
            for pid, _parent, cmd, _cpu in processes:
                if "postgres" in cmd and self.postgres_dir in cmd and " -D " in f" {cmd}":
                    postgres = tree(pid)
        own = os.times()
        return {
            "devhost (Python)": cpu.get(self.devhost_pid, 0.0),
            "Azurite": sum(cpu.get(p, 0.0) for p in azurite),
            "PostgreSQL": sum(cpu.get(p, 0.0) for p in postgres),
            "load generator": own.user + own.system,
        }

    def begin(self) -> None:
        self.start = self.sample()

    def used(self) -> dict[str, float]:
        end = self.sample()
        return {name: end[name] - self.start.get(name, 0.0) for name in end}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}), Linux {platform.machine()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=500)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64, help="webhook deliveries in flight at most")
    parser.add_argument("--rate", type=float, default=0.0, help="answers per second at most (0: no cap)")
    parser.add_argument("--think", type=float, default=1.0, help="candidates answer after 0..THINK seconds")
    parser.add_argument("--double-text", type=float, default=0.1, help="share of candidates who double-text")
    parser.add_argument("--retries", type=float, default=0.1, help="share of answers Twilio delivers twice")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="a running devhost (default: start one)")
    parser.add_argument("--token", help="admin token of the running devhost")
    parser.add_argument("--samples", type=Path, help="write every answer's latency to this CSV file")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the devhost this starts (repeatable)")  # fmt: skip
    args = parser.parse_args(argv)
    if not (1 <= args.interviews <= 5000 and 1 <= args.questions <= 20 and args.concurrency >= 1):
        parser.error("--interviews 1..5000, --questions 1..20, --concurrency >= 1")
    config = LoadConfig(interviews=args.interviews, questions=args.questions, concurrency=args.concurrency,
                        rate=args.rate, think_seconds=args.think, double_text=args.double_text,
                        retries=args.retries, seed=args.seed)  # fmt: skip
    print(f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {machine()}")
    if args.url:
        if not args.token:
            parser.error("--url needs --token")
        result = asyncio.run(run_load(args.url, args.token, config))
    else:
        from devhost.azurite import free_port
        from tests.conftest import traversable_temp_dir
        from tests.e2e.conftest import start_devhost, stop_devhost

        extra = {"DEVHOST_CONTROLLABLE_CLOCK": "0", **dict(item.split("=", 1) for item in args.env)}
        data_dir = traversable_temp_dir("load", keep=True)
        host = start_devhost(data_dir, free_port(), extra)
        print(f"devhost at {host.url}, log {host.log_path}")
        meter = CpuMeter(host.process.pid, None if extra.get("DATABASE_URL") else data_dir / "postgres")
        try:
            result = asyncio.run(run_load(host.url, host.token, config, cpu_meter=meter))
        finally:
            stop_devhost(host)
    print(result.summary())
    if args.samples:
        lines = ["seconds_after_first_answer,question,latency_ms"]
        lines += [f"{at:.3f},{position},{ms:.1f}" for at, position, ms in sorted(result.samples)]
        args.samples.write_text("\n".join(lines) + "\n")
    return 0 if not result.problems else 1


if __name__ == "__main__":
    sys.exit(main())
