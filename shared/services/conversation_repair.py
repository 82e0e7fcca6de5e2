"""Repairs the conversation log from PostgreSQL after a storage outage.

The conversation log (Table Storage) is written best effort: while storage is down, SMS in and out are
still handled and recorded in PostgreSQL (inbound_messages, outbound_messages), but their log entries are
missing. This replays every message of a time window into the log. Recording is idempotent by SID, so
entries already there are kept as they are and a repair can run any number of times. Inbound messages are
rebuilt from PostgreSQL alone; PostgreSQL keeps only the SID of what we sent, so an outbound message missing
from the log is fetched from Twilio (its text and latest delivery status).

    python -m shared.services.conversation_repair --since 2026-11-26T09:00:00Z
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.adapters import factory
from shared.db import transaction

_POSITION = re.compile(r":(?:question|reminder):(\d+):")


@dataclass
class RepairReport:
    inbound: int = 0
    outbound_present: int = 0
    outbound_restored: int = 0
    outbound_unknown_to_twilio: list[str] = field(default_factory=list)


def _position(dedupe_key: str | None) -> int | None:
    match = _POSITION.search(dedupe_key or "")
    return int(match.group(1)) if match else None


def repair_conversation_log(since: datetime, log: Any = None, sender: Any = None) -> RepairReport:
    """Record into the conversation log every SMS that PostgreSQL saw at or after `since`."""
    log = log or factory.conversation_log()
    report = RepairReport()
    with transaction() as cur:
        cur.execute(
            "SELECT m.message_sid, m.from_phone, m.body, m.received_at, m.handled_as, m.interview_id, "
            "m.question_position, i.candidate_id FROM inbound_messages m "
            "LEFT JOIN interviews i ON i.id = m.interview_id WHERE m.received_at >= %s ORDER BY m.received_at",
            (since,),
        )
        inbound = list(cur.fetchall())
        cur.execute(
            "SELECT o.sid, o.kind, o.sent_at, o.interview_id, o.dedupe_key, i.candidate_id "
            "FROM outbound_messages o LEFT JOIN interviews i ON i.id = o.interview_id "
            "WHERE o.sid IS NOT NULL AND o.sent_at >= %s ORDER BY o.sent_at",
            (since,),
        )
        outbound = list(cur.fetchall())
    for row in inbound:
        log.record_inbound(
            sid=row["message_sid"], phone=row["from_phone"], body=row["body"], kind=row["handled_as"],
            interview_id=row["interview_id"], candidate_id=row["candidate_id"],
            question_position=row["question_position"], created_at=row["received_at"],
        )  # fmt: skip
        report.inbound += 1
    for row in outbound:
        if log.get(row["sid"]) is not None:
            report.outbound_present += 1
            continue
        message = (sender or factory.sms_sender()).fetch(row["sid"])
        if message is None:
            report.outbound_unknown_to_twilio.append(row["sid"])
            continue
        log.record_outbound(
            sid=message.sid, phone=message.to, body=message.body, kind=row["kind"], status=message.status,
            interview_id=row["interview_id"], candidate_id=row["candidate_id"],
            question_position=_position(row["dedupe_key"]), created_at=row["sent_at"],
        )  # fmt: skip
        report.outbound_restored += 1
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Replay SMS recorded in PostgreSQL into the conversation log."
    )
    parser.add_argument("--since", required=True, help="ISO 8601 time, e.g. 2026-11-26T09:00:00Z")
    args = parser.parse_args(argv)
    since = datetime.fromisoformat(args.since.replace("Z", "+00:00"))
    if since.tzinfo is None:
        parser.error("--since needs a time zone (e.g. a trailing Z)")
    report = repair_conversation_log(since)
    print(
        f"inbound recorded (or already there): {report.inbound}; outbound already there: "
        f"{report.outbound_present}; outbound restored from Twilio: {report.outbound_restored}; "
        f"unknown to Twilio: {len(report.outbound_unknown_to_twilio)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
