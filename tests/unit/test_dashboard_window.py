from datetime import UTC, date, datetime

import pytest

from shared.errors import ValidationFailed
from shared.services.dashboard import parse_window, split_window


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_dates_cover_whole_days_and_to_is_inclusive():
    assert parse_window("2026-03-01", "2026-03-03") == (at("2026-03-01T00:00"), at("2026-03-04T00:00"))


def test_date_times_are_exact_and_read_as_utc_without_an_offset():
    assert parse_window("2026-03-01T08:15:00", "2026-03-01T12:00:00+02:00") == (
        at("2026-03-01T08:15"),
        at("2026-03-01T10:00"),
    )
    assert parse_window(None, "2026-03-01T10:00:00Z") == (None, at("2026-03-01T10:00"))


@pytest.mark.parametrize(
    ("from_raw", "to_raw", "field"),
    [
        ("2026-03-02", "2026-03-01", "to"),
        ("2026-03-01T10:15:00", "2026-03-01T12:00:00+02:00", "to"),
        ("soon", None, "from"),
        (None, "9999-12-31", "to"),
        ("9999-12-31T23:59:59", None, "from"),
        ("0001-01-01", "0001-01-01", "from"),
        (None, "0001-01-01T00:00:00", "to"),
        (None, "9999-12-31T23:59:59-23:59", "to"),
        ("0001-01-01T00:00:00+23:59", None, "from"),
    ],
)
def test_invalid_windows_name_the_field(from_raw, to_raw, field):
    with pytest.raises(ValidationFailed) as caught:
        parse_window(from_raw, to_raw)
    assert [e["field"] for e in caught.value.errors] == [field]


def test_split_without_bounds_is_all_days():
    assert split_window(None, None) == ((None, None), [])


def test_split_at_midnights_has_no_partial_days():
    assert split_window(at("2026-03-01T00:00"), at("2026-03-04T00:00")) == (
        (date(2026, 3, 1), date(2026, 3, 4)),
        [],
    )


def test_split_keeps_partial_edges_apart_from_whole_days():
    assert split_window(at("2026-03-01T12:00"), at("2026-03-04T06:00")) == (
        (date(2026, 3, 2), date(2026, 3, 4)),
        [(at("2026-03-01T12:00"), at("2026-03-02T00:00")), (at("2026-03-04T00:00"), at("2026-03-04T06:00"))],
    )
    assert split_window(at("2026-03-01T12:00"), None) == (
        (date(2026, 3, 2), None),
        [(at("2026-03-01T12:00"), at("2026-03-02T00:00"))],
    )


def test_split_of_less_than_a_whole_day_is_one_partial_range():
    assert split_window(at("2026-03-01T12:00"), at("2026-03-02T06:00")) == (
        None,
        [(at("2026-03-01T12:00"), at("2026-03-02T06:00"))],
    )
    assert split_window(at("2026-03-01T12:00"), at("2026-03-01T12:00")) == (None, [])
