"""The Durable orchestration that drives one SMS interview (instance id = interview id).

Deterministic: every side effect is an activity (functions/interview_activities.py) and every time decision
comes from `context.current_utc_datetime`. Two library bugs shape it (see docs/interviews.md):
an event raised before its wait is re-delivered to every later wait of the same name, so each question
attempt waits for its own event name (`answer_<position>_<attempt>`) and out-of-band signals use numbered
names (`control_<n>`); and timers longer than a few days cannot be cancelled, so long waits are chained.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.durable_functions as df

from functions.deferred import deferred_import

bp = df.Blueprint()
# The interview rules are imported when an orchestration first runs, not at cold start (functions/deferred.py).
policy = deferred_import("shared.interview.policy")
schedule = deferred_import("shared.interview.schedule")

RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=5000, max_number_of_attempts=4)
MAX_TIMER = timedelta(days=5)

EXPIRED, STOPPED, ASK_AGAIN = "expired", "stopped", "ask_again"


class Interview:
    """The orchestration's working state; its generator methods are called with `yield from`."""

    def __init__(self, context: df.DurableOrchestrationContext, plan: dict[str, Any]) -> None:
        self.context = context
        self.plan = plan
        self.id = plan["interview_id"]
        self.settings = plan["settings"]
        self.control_seq = plan["control_seq"]
        self.control_task: Any = None
        self.quiet = (
            schedule.parse_hhmm(self.settings["quiet_hours_start"]),
            schedule.parse_hhmm(self.settings["quiet_hours_end"]),
        )

    # --- time ---------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        current = self.context.current_utc_datetime
        return current.replace(tzinfo=UTC) if current.tzinfo is None else current.astimezone(UTC)

    def timer(self, at: datetime) -> Any:
        at = min(at, self.now() + MAX_TIMER)
        if self.context.current_utc_datetime.tzinfo is None:
            at = at.astimezone(UTC).replace(tzinfo=None)
        return self.context.create_timer(at)

    def send_time(self, at: datetime) -> datetime:
        return schedule.next_send_time(at, self.plan["timezone"], *self.quiet)

    def status(self, stage: str, **details: Any) -> None:
        self.context.set_custom_status({"stage": stage, "interview_id": self.id, **details})

    # --- waiting --------------------------------------------------------------------------------------------
    def control(self) -> Any:
        if self.control_task is None:
            self.control_task = self.context.wait_for_external_event(f"control_{self.control_seq + 1}")
        return self.control_task

    def race(self, tasks: list[Any], until: datetime):
        """Wait for one of `tasks`, a control signal, or `until`. Returns ("task", i, result) | ("timer",) |
        ("control", payload). Waits longer than MAX_TIMER are chained."""
        while True:
            timer = self.timer(until)
            control = self.control()
            winner = yield self.context.task_any([*tasks, timer, control])
            if winner is not timer:
                timer.cancel()
            if winner is control:
                self.control_seq += 1
                self.control_task = None
                return ("control", _event_data(control.result))
            if winner is timer:
                if self.now() >= until:
                    return ("timer",)
                continue
            return ("task", tasks.index(winner), _event_data(winner.result))

    def sleep_until(self, until: datetime, stage: str):
        """Sleep until `until`, honouring control signals. Returns False when the interview stopped."""
        while self.now() < until:
            self.status(stage, until=until.isoformat())
            outcome = yield from self.race([], until)
            if outcome[0] == "control":
                action = outcome[1].get("action")
                if action == "resume_now":
                    return True
                if action == "reschedule":
                    until = _parse(outcome[1]["start_at"])
        return True

    def wait_quiet_hours(self):
        allowed = self.send_time(self.now())
        if allowed > self.now():
            yield from self.sleep_until(allowed, "quiet_hours")

    def act(self, name: str, **payload: Any):
        result = yield self.context.call_activity_with_retry(
            name, RETRY, {"interview_id": self.id, **payload}
        )
        return result

    # --- the interview ------------------------------------------------------------------------------------
    def run(self):
        yield from self.sleep_until(_parse(self.plan["scheduled_at"]), "scheduled")
        if self.settings["greeting_enabled"] and not self.plan["greeted"]:
            yield from self.wait_quiet_hours()
            greeted = yield from self.act("interview_greet")
            if greeted["status"] == STOPPED:
                return STOPPED
        position, consecutive, pauses, flags = self.plan["next_position"], 0, 0, []
        asks: dict[int, int] = {}  # attempts per question: each attempt waits for its own event name
        while position <= self.plan["question_count"]:
            yield from self.wait_quiet_hours()
            asks[position] = asks.get(position, 0) + 1
            asked = yield from self.act("interview_ask", position=position, attempt=asks[position])
            if asked["status"] == STOPPED:
                return STOPPED
            answer = yield from self.await_answer(position, asked["attempt"])
            if answer in (EXPIRED, STOPPED):
                return answer
            if answer == ASK_AGAIN:
                continue
            decision = policy.decide_after_answer(answer, consecutive, pauses, self.settings)
            consecutive = decision.consecutive_struggles
            if decision.struggled and "struggled" not in flags:
                flags.append("struggled")
            if decision.action == "knockout":
                yield from self.finish("knocked_out", position=position, flags=flags)
                return "knocked_out"
            if decision.action == "finish_struggling":
                flags.append("struggle_limit_reached")
                break
            if decision.action == "pause":
                pauses += 1
                resume_at = schedule.default_resume_time(
                    self.now(), self.plan["timezone"], delay_minutes=self.settings["reschedule_delay_minutes"],
                    quiet_start=self.quiet[0], quiet_end=self.quiet[1],
                )  # fmt: skip
                if not (yield from self.pause(resume_at, "struggling")):
                    return STOPPED
                continue  # ask the question they struggled with again
            position += 1
        yield from self.wait_quiet_hours()
        yield from self.finish("completed", flags=flags)
        return "completed"

    def await_answer(self, position: int, attempt: int):
        """The answer event for this attempt, with reminders and expiry; or a reason to stop or ask again."""
        answer_event = self.context.wait_for_external_event(f"answer_{position}_{attempt}")
        deadline = self.now() + timedelta(minutes=self.settings["answer_timeout_minutes"])
        reminders = 0
        while True:
            self.status("waiting_for_answer", question=position, of=self.plan["question_count"], attempt=attempt,
                        reminders_sent=reminders, until=deadline.isoformat())  # fmt: skip
            outcome = yield from self.race([answer_event], self.send_time(deadline))
            if outcome[0] == "task":
                return outcome[2] or {}
            if outcome[0] == "control":
                if outcome[1].get("action") == "reschedule":
                    if not (yield from self.pause(_parse(outcome[1]["start_at"]), "recruiter")):
                        return STOPPED
                    return ASK_AGAIN
                continue  # READY while a question is pending changes nothing
            if reminders < self.settings["reminder_count"]:
                reminders += 1
                sent = yield from self.act(
                    "interview_remind", position=position, attempt=attempt, number=reminders
                )
                if sent["status"] == "answered":  # the answer reached the database but its event was lost
                    return sent["answer"]
                if sent["status"] == STOPPED:
                    return STOPPED
                deadline = self.now() + timedelta(minutes=self.settings["reminder_interval_minutes"])
                continue
            finished = yield from self.finish("expired", position=position, attempt=attempt)
            if finished["status"] == "answered":
                return finished["answer"]
            return EXPIRED

    def pause(self, resume_at: datetime, reason: str):
        """Pause until `resume_at` (or READY / a new time from the recruiter), then resume."""
        paused = yield from self.act("interview_pause", resume_at=resume_at.isoformat(), reason=reason)
        if paused["status"] == STOPPED:
            return False
        while self.now() < resume_at:
            self.status("paused", until=resume_at.isoformat(), reason=reason)
            outcome = yield from self.race([], resume_at)
            if outcome[0] == "control":
                if outcome[1].get("action") == "resume_now":
                    break
                if outcome[1].get("action") == "reschedule":
                    resume_at = _parse(outcome[1]["start_at"])
                    paused = yield from self.act(
                        "interview_pause", resume_at=resume_at.isoformat(), reason="recruiter"
                    )
                    if paused["status"] == STOPPED:
                        return False
        yield from self.wait_quiet_hours()
        resumed = yield from self.act("interview_resume")
        return resumed["status"] != STOPPED

    def finish(self, outcome: str, **details: Any):
        self.status("finishing", outcome=outcome)
        result = yield from self.act("interview_finish", outcome=outcome, **details)
        return result


def _event_data(value: Any) -> dict[str, Any]:
    """Event payloads raised through the Python client arrive as JSON text, not the value
    (azure-functions-durable-python #295); accept both."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@bp.orchestration_trigger(context_name="context")
def interview_orchestrator(context: df.DurableOrchestrationContext):
    interview_id = (context.get_input() or {})["interview_id"]
    plan = yield context.call_activity_with_retry(
        "interview_load_plan", RETRY, {"interview_id": interview_id}
    )
    if plan is None or plan["status"] not in ("scheduled", "in_progress", "paused"):
        context.set_custom_status({"stage": "not_active", "interview_id": interview_id})
        return "not_active"
    interview = Interview(context, plan)
    try:
        outcome = yield from interview.run()
    except Exception as exc:  # an activity failed after its retries: record it rather than leave it hanging
        yield context.call_activity_with_retry(
            "interview_finish",
            RETRY,
            {"interview_id": interview_id, "outcome": "failed", "reason": str(exc)[:500]},
        )
        outcome = "failed"
    context.set_custom_status({"stage": "finished", "interview_id": interview_id, "outcome": outcome})
    return outcome
