"""local.settings.json precedence, and the NCRONTAB schedules of timer triggers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devhost.cron import next_occurrence, parse_schedule
from devhost.environment import load_local_settings


def _settings_file(tmp_path: Path, values: dict) -> Path:
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values, "Host": {"LocalHttpPort": 7072}}))
    return path


def test_local_settings_fill_only_what_the_environment_leaves_unset(tmp_path: Path) -> None:
    path = _settings_file(tmp_path, {
        "ADMIN_TOKEN": "from-the-file-0123456789", "PUBLIC_BASE_URL": "https://file.example",
        "TWILIO_AUTH_TOKEN": "file-token", "GEMINI_API_KEY": "", "SCORING_MAX_DELIVERY_COUNT": 7, "LOCAL_DATA_DIR": None,
    })  # fmt: skip
    environ = {"PUBLIC_BASE_URL": "https://env.example", "TWILIO_AUTH_TOKEN": "", "PATH": "/bin"}
    copied = load_local_settings(path, environ)
    assert sorted(copied) == ["ADMIN_TOKEN", "SCORING_MAX_DELIVERY_COUNT", "TWILIO_AUTH_TOKEN"]
    assert environ == {
        "PUBLIC_BASE_URL": "https://env.example",  # the real environment wins
        "TWILIO_AUTH_TOKEN": "file-token",  # an empty variable is no value
        "ADMIN_TOKEN": "from-the-file-0123456789",
        "SCORING_MAX_DELIVERY_COUNT": "7",  # values become strings, as environment variables are
        "PATH": "/bin",
    }  # empty and null values in the file are not copied


def test_a_missing_settings_file_changes_nothing_and_a_broken_one_stops_devhost(tmp_path: Path) -> None:
    environ = {"A": "1"}
    assert load_local_settings(tmp_path / "absent.json", environ) == []
    assert environ == {"A": "1"}
    broken = tmp_path / "local.settings.json"
    broken.write_text('{"Values": {"A": ')
    with pytest.raises(SystemExit, match="cannot read .*local.settings.json"):
        load_local_settings(broken, environ)


AT = datetime(2026, 3, 1, 10, 7, 30, 250000, tzinfo=UTC)  # a Sunday


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ("0 */15 * * * *", datetime(2026, 3, 1, 10, 15, tzinfo=UTC)),
        ("*/10 * * * * *", datetime(2026, 3, 1, 10, 7, 40, tzinfo=UTC)),
        ("30 7 10 * * *", datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC)),  # today's has just passed
        ("0 0 * * * *", datetime(2026, 3, 1, 11, 0, tzinfo=UTC)),
        ("0 30 9 * * 1-5", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),  # weekdays: Monday next
        ("0 30 9 * Jan Mon", datetime(2027, 1, 4, 9, 30, tzinfo=UTC)),  # names, as in Azure's docs
        ("0 0 12 * * sat,SUN", datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        ("0 5/20 * * * *", datetime(2026, 3, 1, 10, 25, tzinfo=UTC)),  # a/n: from a, every n
        ("0 0 0 1 */3 *", datetime(2026, 4, 1, tzinfo=UTC)),
        ("0 0 0 29 2 *", datetime(2028, 2, 29, tzinfo=UTC)),  # the next leap day
        ("0 0 0 13 * 5", datetime(2026, 3, 13, tzinfo=UTC)),  # day AND weekday: Friday the 13th
        ("0 0 0 13 * 2", datetime(2026, 10, 13, tzinfo=UTC)),  # the next Tuesday the 13th, not the next 13th
        ("0 0 0 31 * *", datetime(2026, 3, 31, tzinfo=UTC)),
        ("*/5 * * * *", datetime(2026, 3, 1, 10, 10, tzinfo=UTC)),  # five fields: no seconds
    ],
)
def test_next_occurrence(schedule: str, expected: datetime) -> None:
    assert next_occurrence(schedule, AT) == expected


def test_the_next_occurrence_is_strictly_later() -> None:
    on_the_hour = datetime(2026, 3, 1, 11, 0, tzinfo=UTC)
    assert next_occurrence("0 0 * * * *", on_the_hour) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert next_occurrence(parse_schedule("0 0 * * * *"), on_the_hour.replace(microsecond=1)) == datetime(
        2026, 3, 1, 12, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("", "six \\(or five\\) fields"),
        ("* * * *", "six \\(or five\\) fields"),
        ("0 0 * * * * *", "six \\(or five\\) fields"),
        ("00:05:00", "TimeSpan schedules are not supported"),
        ("0 60 * * * *", "minute value 60 is outside 0-59"),
        ("0 0 24 * * *", "hour value 24 is outside 0-23"),
        ("0 0 0 0 * *", "day value 0 is outside 1-31"),
        ("0 0 0 * 13 *", "month value 13 is outside 1-12"),
        ("0 0 0 * * 7", "day-of-week value 7 is outside 0-6"),
        ("0 */0 * * * *", "step '0' must be a positive number"),
        ("0 10-5 * * * *", "range '10-5' runs backwards"),
        ("0 0 0 * Smarch *", "'Smarch' is not a valid month value"),
        ("every five minutes x y", "not a valid minute value"),
        ("a b c d e f", "not a valid second value"),
        ("0 0 0 30 2 *", "never fires"),
    ],
)
def test_invalid_schedules_are_refused_with_the_reason(schedule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        next_occurrence(schedule, AT)
