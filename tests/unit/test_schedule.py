"""Time rules: candidate time zones, quiet hours across midnight and DST changes, resume times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.interview.schedule import (
    candidate_timezone,
    default_resume_time,
    is_quiet,
    local_instant,
    next_send_time,
    parse_hhmm,
)

NY = "America/New_York"
NIGHT = (time(21, 0), time(8, 0))  # crosses midnight
LUNCH = (time(12, 0), time(13, 0))  # does not


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ny(*args: int, fold: int = 0) -> datetime:
    """A New York wall-clock time as an aware UTC datetime."""
    return datetime(*args, tzinfo=ZoneInfo(NY), fold=fold).astimezone(UTC)


# parse_hhmm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00", time(21, 0)),
        ("08:00", time(8, 0)),
        ("8:00", time(8, 0)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 07:30 ", time(7, 30)),
        ("21:00:00", time(21, 0)),  # as PostgreSQL prints a time column
        ("06:15:30", time(6, 15, 30)),
    ],
)
def test_parse_hhmm_reads_times_of_day(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize(
    "text", ["24:00", "7", "7:5", "12:60", "ab:cd", "", "-1:00", "9pm", "21:00pm", "21.00"]
)
def test_parse_hhmm_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(text)


# candidate_timezone


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+442079460000", "Europe/London"),
        ("+447911123456", "Europe/London"),  # mobile: London plus its tzdata links, merged
        ("+358401234567", "Europe/Helsinki"),
        ("+12125550100", "America/New_York"),  # area code 212: Manhattan
        ("+14155550100", "America/Los_Angeles"),
        ("+13125550100", "America/Chicago"),
        ("+61212345678", "Australia/Sydney"),
        ("+33612345678", "Europe/Paris"),
    ],
)
def test_a_number_in_one_zone_gives_that_zone(phone: str, expected: str) -> None:
    assert candidate_timezone(phone, "UTC") == expected


@pytest.mark.parametrize(
    "phone",
    [
        "+18005550100",  # US toll-free: every North American zone
        "+79161234567",  # Russian mobile: many zones
        "+34612345678",  # Spanish mobile: Madrid or the Canaries, an hour apart
        "+447700900123",  # a UK number reserved for drama: no zone
        "+15555550100",  # 555: no zone known
        "not a number",
        "",
        "+1",
    ],
)
def test_an_ambiguous_or_unknown_number_gives_the_fallback(phone: str) -> None:
    assert candidate_timezone(phone, "America/Denver") == "America/Denver"


def test_every_zone_returned_is_loadable() -> None:
    # phonenumbers may name a legacy zone ("Asia/Calcutta"): it must still load here.
    ZoneInfo(candidate_timezone("+919876543210", "UTC"))


def test_an_unknown_fallback_zone_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        candidate_timezone("+442079460000", "Mars/Olympus")


# next_send_time and is_quiet


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (ny(2024, 6, 3, 12, 0), ny(2024, 6, 3, 12, 0)),  # afternoon: now
        (ny(2024, 6, 3, 20, 59, 59), ny(2024, 6, 3, 20, 59, 59)),  # last second before quiet hours
        (ny(2024, 6, 3, 21, 0), ny(2024, 6, 4, 8, 0)),  # start is quiet
        (ny(2024, 6, 3, 23, 30), ny(2024, 6, 4, 8, 0)),  # before midnight: tomorrow morning
        (ny(2024, 6, 4, 3, 0), ny(2024, 6, 4, 8, 0)),  # after midnight: this morning
        (ny(2024, 6, 4, 7, 59, 59), ny(2024, 6, 4, 8, 0)),
        (ny(2024, 6, 4, 8, 0), ny(2024, 6, 4, 8, 0)),  # end is not quiet
        (ny(2024, 12, 31, 22, 0), ny(2025, 1, 1, 8, 0)),  # across the year
    ],
)
def test_quiet_hours_across_midnight(now: datetime, expected: datetime) -> None:
    assert next_send_time(now, NY, *NIGHT) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (ny(2024, 6, 3, 11, 59), ny(2024, 6, 3, 11, 59)),
        (ny(2024, 6, 3, 12, 0), ny(2024, 6, 3, 13, 0)),
        (ny(2024, 6, 3, 12, 30), ny(2024, 6, 3, 13, 0)),
        (ny(2024, 6, 3, 13, 0), ny(2024, 6, 3, 13, 0)),
        (ny(2024, 6, 3, 23, 0), ny(2024, 6, 3, 23, 0)),
    ],
)
def test_quiet_hours_within_a_day(now: datetime, expected: datetime) -> None:
    assert next_send_time(now, NY, *LUNCH) == expected


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    now = ny(2024, 6, 3, 3, 0)
    assert next_send_time(now, NY, time(8), time(8)) == now
    assert not is_quiet(now, NY, time(8), time(8))


def test_quiet_hours_follow_the_candidates_zone_not_utc() -> None:
    now = utc(2024, 6, 3, 23, 0)  # 19:00 in New York, midnight in London
    assert next_send_time(now, NY, *NIGHT) == now
    assert next_send_time(now, "Europe/London", *NIGHT) == utc(2024, 6, 4, 7, 0)  # 08:00 BST


def test_the_morning_after_a_clock_change_uses_the_new_offset() -> None:
    # Spring forward (10 March 2024): 08:00 is EDT, UTC-4.
    assert next_send_time(ny(2024, 3, 9, 22, 0), NY, *NIGHT) == utc(2024, 3, 10, 12, 0)
    # Fall back (3 November 2024): 08:00 is EST, UTC-5.
    assert next_send_time(ny(2024, 11, 2, 22, 0), NY, *NIGHT) == utc(2024, 11, 3, 13, 0)


def test_quiet_hours_ending_in_the_spring_gap_end_when_the_clock_jumps() -> None:
    # 02:30 does not exist on 10 March 2024 in New York: clocks go 01:59:59 EST -> 03:00 EDT (07:00 UTC).
    assert next_send_time(ny(2024, 3, 10, 1, 50), NY, time(21), time(2, 30)) == utc(2024, 3, 10, 7, 0)


def test_quiet_hours_ending_in_the_autumn_fold() -> None:
    # 01:30 happens twice on 3 November 2024: at 05:30 UTC (EDT) and at 06:30 UTC (EST).
    first_pass, second_pass = ny(2024, 11, 3, 1, 10), ny(2024, 11, 3, 1, 10, fold=1)
    assert next_send_time(first_pass, NY, time(21), time(1, 30)) == utc(2024, 11, 3, 5, 30)
    assert next_send_time(second_pass, NY, time(21), time(1, 30)) == utc(2024, 11, 3, 6, 30)


@pytest.mark.parametrize("tz", [NY, "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"])
@pytest.mark.parametrize("window", [NIGHT, LUNCH, (time(1, 30), time(3, 0)), (time(23, 0), time(2, 30))])
def test_next_send_time_is_the_first_allowed_instant_all_year(tz: str, window: tuple[time, time]) -> None:
    # A deterministic sweep over a year, every 97 minutes, through every DST change these zones have
    # (Lord Howe's is half an hour).
    start, step = utc(2024, 1, 1), timedelta(minutes=97)
    for i in range(0, 366 * 24 * 60 // 97):
        now = start + i * step
        sent = next_send_time(now, tz, *window)
        assert sent >= now and sent.tzinfo is UTC
        assert not is_quiet(sent, tz, *window)
        if sent > now:
            assert is_quiet(sent - timedelta(seconds=1), tz, *window)  # nothing earlier was allowed


def test_times_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_send_time(datetime(2024, 6, 3, 12, 0), NY, *NIGHT)
    with pytest.raises(ValueError, match="timezone-aware"):
        default_resume_time(datetime(2024, 6, 3, 12, 0), NY)


def test_any_aware_input_gives_utc_output() -> None:
    now = datetime(2024, 6, 3, 23, 30, tzinfo=timezone(timedelta(hours=-4)))  # 23:30 EDT, as an offset
    assert next_send_time(now, NY, *NIGHT) == utc(2024, 6, 4, 12, 0)
    assert next_send_time(now, NY, *NIGHT).tzinfo is UTC


def test_an_unknown_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Nowhere/Special"):
        next_send_time(utc(2024, 6, 3), "Nowhere/Special", *NIGHT)


def test_local_instant_of_an_ordinary_time() -> None:
    assert local_instant(date(2024, 6, 3), time(10), NY) == utc(2024, 6, 3, 14, 0)


# default_resume_time


def test_resume_is_the_next_day_at_ten_local() -> None:
    assert default_resume_time(ny(2024, 6, 3, 11, 0), NY) == ny(2024, 6, 4, 10, 0)
    assert default_resume_time(ny(2024, 6, 3, 23, 50), NY) == ny(2024, 6, 4, 10, 0)


def test_resume_after_midnight_is_still_the_next_calendar_day() -> None:
    assert default_resume_time(ny(2024, 6, 4, 0, 30), NY) == ny(2024, 6, 5, 10, 0)


def test_resume_across_a_clock_change_keeps_ten_oclock_local() -> None:
    assert default_resume_time(ny(2024, 3, 9, 15, 0), NY) == utc(2024, 3, 10, 14, 0)  # 10:00 EDT
    assert default_resume_time(ny(2024, 11, 2, 15, 0), NY) == utc(2024, 11, 3, 15, 0)  # 10:00 EST


def test_resume_hour_in_quiet_hours_moves_to_their_end() -> None:
    assert default_resume_time(ny(2024, 6, 3, 11, 0), NY, hour=7) == ny(2024, 6, 4, 8, 0)
    assert default_resume_time(
        ny(2024, 6, 3, 11, 0), NY, hour=7, quiet_start=time(22), quiet_end=time(6)
    ) == ny(2024, 6, 4, 7, 0)


def test_a_configured_delay_replaces_the_next_day_rule() -> None:
    now = ny(2024, 6, 3, 11, 0)
    assert default_resume_time(now, NY, delay=timedelta(minutes=90)) == ny(2024, 6, 3, 12, 30)
    assert default_resume_time(now, NY, delay_minutes=90) == ny(2024, 6, 3, 12, 30)


def test_a_delay_ending_in_quiet_hours_waits_for_their_end() -> None:
    assert default_resume_time(ny(2024, 6, 3, 20, 0), NY, delay_minutes=120) == ny(2024, 6, 4, 8, 0)
    assert default_resume_time(
        ny(2024, 6, 3, 11, 0), NY, delay_minutes=60, quiet_start=time(12), quiet_end=time(13)
    ) == ny(2024, 6, 3, 13, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"delay": timedelta(minutes=5), "delay_minutes": 5},
        {"delay": timedelta(0)},
        {"delay_minutes": -10},
        {"hour": 24},
        {"hour": -1},
    ],
)
def test_nonsense_resume_arguments_are_rejected(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        default_resume_time(ny(2024, 6, 3, 11, 0), NY, **kwargs)
