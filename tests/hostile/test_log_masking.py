"""Phone numbers and answers never reach the logs unmasked. Whole interviews run through devhost (its
stdout and stderr go to data_dir/devhost.log): one completed and scored, one with HELP, STOP, a text after
STOP and START, and a text from a number with no interview; then the log is searched for each number in every
form it could be written in, and for every answer.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.phone import mask_phone

pytestmark = pytest.mark.e2e

PHONE_TZ = ZoneInfo("America/Los_Angeles")
COMPLETING, STOPPING, STRANGER = "+14155550173", "+14155550174", "+14155550175"
ANSWERS = {
    COMPLETING: ["Quokka-7741 TIG welding on titanium frames", "Zanzibar-5532 night shifts are fine by me"],
    STOPPING: ["Marmalade-3318 six years on pipelines", "Quasar-9911 are you still there?"],
    STRANGER: ["Nebula-2288 hello, is this about the job?"],
}


def phone_forms(e164: str) -> list[str]:
    """Every way the number could be written: E.164, digits, national layouts, URL-encoded."""
    national = e164[2:]  # +1 then ten digits
    area, exchange, line = national[:3], national[3:6], national[6:]
    return [e164, e164[1:], national, f"{area}-{exchange}-{line}", f"({area}) {exchange}-{line}",
            f"{area} {exchange} {line}", f"{area}.{exchange}.{line}", "%2B" + e164[1:]]  # fmt: skip


def never_quiet(host) -> dict:
    now = datetime.fromisoformat(host.session.get(host.url + "/dev/clock", timeout=10).json()["now"])
    start = (now.astimezone(PHONE_TZ) + timedelta(hours=12)).replace(second=0, microsecond=0)
    return {"quiet_hours_start": f"{start:%H:%M}", "quiet_hours_end": f"{start + timedelta(minutes=1):%H:%M}"}


def start_interview(host, phone_as_typed: str) -> dict:
    job = host.api("POST", "/api/jobs", {
        "title": "Welder", "requirements": ["TIG welding"],
        "questions": [{"text": "Q1: What do you weld?"}, {"text": "Q2: Can you work nights?"}],
        "interview_settings": {"greeting_enabled": False, **never_quiet(host)},
    })  # fmt: skip
    candidate = host.api(
        "POST", "/api/candidates", {"name": "Lee", "phone": phone_as_typed, "sms_consent": True}
    )
    return host.api("POST", "/api/interviews", {"candidate_id": candidate["id"], "job_id": job["id"]})


def test_a_whole_interview_leaves_no_phone_number_or_answer_in_the_log(hostile_devhost):
    host = hostile_devhost
    # Completed and scored; the number typed in national format.
    done = start_interview(host, "(415) 555-0173")
    for position, answer in enumerate(ANSWERS[COMPLETING], 1):
        host.wait_for_sms(COMPLETING, lambda body, p=position: f"Q{p}:" in body)
        host.reply(COMPLETING, answer)
    host.wait_for(lambda: host.api("GET", f"/api/interviews/{done['id']}"), lambda d: d["score"] is not None)

    # HELP, an answer, STOP, a text after STOP (kept, not answered), START.
    stopped = start_interview(host, "415.555.0174")
    host.wait_for_sms(STOPPING, lambda body: "Q1:" in body)
    host.reply(STOPPING, "HELP")
    host.wait_for_sms(STOPPING, lambda body: "STOP" in body and "Q1:" not in body)
    host.reply(STOPPING, ANSWERS[STOPPING][0])
    host.wait_for_sms(STOPPING, lambda body: "Q2:" in body)
    host.reply(STOPPING, "STOP")
    host.wait_for(
        lambda: host.api("GET", f"/api/interviews/{stopped['id']}"), lambda d: d["status"] == "opted_out"
    )
    host.reply(STOPPING, ANSWERS[STOPPING][1])
    host.reply(STOPPING, "START")

    # A number with no interview; and recruiters looking numbers up.
    host.reply(STRANGER, ANSWERS[STRANGER][0])
    for query in ("4155550173", "+14155550174", "(415) 555-0175"):
        assert host.request("GET", "/api/candidates", params={"q": query}).status_code == 200
    host.settle()

    log = host.log_path.read_text(encoding="utf-8", errors="replace")
    leaks = [form for phone in ANSWERS for form in phone_forms(phone) if form in log]
    leaks += [answer for answers in ANSWERS.values() for answer in answers if answer in log]
    leaks += [word for answers in ANSWERS.values() for answer in answers for word in re.findall(r"\w+-\d{4}", answer)
              if word in log]  # fmt: skip
    assert not leaks, f"in {host.log_path}: {leaks}"
    # Nor any other number: the log also holds whatever ran before on this devhost (the API fuzzing), and
    # output that does not go through logging (prints, child processes).
    assert not re.findall(r"\+[1-9]\d{6,14}", log), f"unmasked numbers in {host.log_path}"
    # The log did record these conversations, with the numbers masked.
    assert all(mask_phone(phone) in log for phone in (COMPLETING, STOPPING)), log[-3000:]
