"""Time rules for texting a candidate: their time zone, quiet hours, and when a paused interview resumes.

Pure and deterministic (the Durable orchestrator replays them): no clock is read, "now" is always an
argument. Datetimes go in and come out timezone-aware; results are in UTC. Wall-clock rules follow the
candidate's local time through daylight-saving changes:

- Quiet hours are a local wall-clock window [start, end): start included, end excluded. A window whose
  start is after its end crosses midnight (21:00-08:00); equal start and end means no quiet hours.
- A local time that does not exist (the spring-forward gap) is taken as the first instant after the gap:
  quiet hours ending at 02:30 on the night clocks jump from 02:00 to 03:00 end at 03:00.
- A local time that exists twice (the autumn fold) is its first occurrence, unless that has already
  passed, then the second.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_QUIET_START = time(21, 0)  # US TCPA: no texts before 8:00 or after 21:00 local time
DEFAULT_QUIET_END = time(8, 0)
DEFAULT_RESUME_HOUR = 10

_HHMM = re.compile(r"\s*([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\s*")
_UNKNOWN_ZONES = frozenset({"Etc/Unknown", ""})
# Zones that tzdata defines as links (same clock, another name). phonenumbers lists them next to their
# main zone, e.g. every UK mobile as London, Guernsey, Jersey and the Isle of Man: merged, that is London.
_SAME_CLOCK_AS = {
    "Europe/Guernsey": "Europe/London",
    "Europe/Isle_of_Man": "Europe/London",
    "Europe/Jersey": "Europe/London",
    "Europe/Mariehamn": "Europe/Helsinki",
    "Europe/Vatican": "Europe/Rome",
    "Europe/San_Marino": "Europe/Rome",
    "Europe/Busingen": "Europe/Zurich",
    "Arctic/Longyearbyen": "Europe/Oslo",
    "America/Kralendijk": "America/Curacao",
    "America/Lower_Princes": "America/Curacao",
}


def parse_hhmm(value: str) -> time:
    """'21:00' -> time(21, 0). Accepts H:MM, HH:MM and HH:MM:SS (as PostgreSQL prints a time)."""
    match = _HHMM.fullmatch(value)
    if match is None:
        raise ValueError(f"not a time of day as HH:MM: {value!r}")
    hours, minutes, seconds = match.groups()
    return time(int(hours), int(minutes), int(seconds or 0))


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError (not a bare KeyError) when it does not exist."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {name!r}") from exc


def candidate_timezone(phone_e164: str, fallback_tz: str) -> str:
    """The IANA zone of the phone number when its prefix maps to exactly one zone, else `fallback_tz`.

    +44 20... -> Europe/London; +1 212... -> America/New_York; a UK mobile -> Europe/London (its other
    zones are tzdata links to London); a number whose prefix spans zones that keep different times (a US
    toll-free number, most of Russia, Spain with the Canaries), an unknown or unparsable number -> the
    fallback.
    """
    # Imported here: phonenumbers' metadata is large, and the orchestrator imports this module only for
    # the quiet-hour rules.
    import phonenumbers
    from phonenumbers import timezone as phone_timezones

    zone(fallback_tz)  # a bad fallback is a configuration error: say so even when the number decides
    try:
        number = phonenumbers.parse(phone_e164, None)
    except phonenumbers.NumberParseException:
        return fallback_tz
    zones = {_SAME_CLOCK_AS.get(z, z) for z in phone_timezones.time_zones_for_number(number)}
    if len(zones) != 1:
        return fallback_tz
    (found,) = zones
    if found in _UNKNOWN_ZONES:
        return fallback_tz
    try:
        zone(found)
    except ValueError:
        return fallback_tz  # a zone this machine's tz database does not know
    return found


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime")


def is_quiet(moment: datetime, tz: str, quiet_start: time, quiet_end: time) -> bool:
    """True when `moment` falls in the quiet-hours window, in zone `tz`'s wall-clock time."""
    _require_aware(moment, "moment")
    if quiet_start == quiet_end:
        return False
    local = moment.astimezone(zone(tz)).time().replace(tzinfo=None)
    if quiet_start < quiet_end:
        return quiet_start <= local < quiet_end
    return local >= quiet_start or local < quiet_end


def local_instant(day: date, wall: time, tz: str, not_before: datetime | None = None) -> datetime:
    """The UTC instant at which zone `tz` shows `day` `wall`, across DST gaps and folds (module docstring)."""
    tzinfo = zone(tz)
    naive = datetime.combine(day, wall.replace(tzinfo=None))
    first = naive.replace(tzinfo=tzinfo, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tzinfo, fold=1).astimezone(UTC)
    exists = first.astimezone(tzinfo).replace(tzinfo=None) == naive
    if not exists:
        # In a gap, fold=1 reads the wall time with the offset after the change: an instant before the
        # jump; fold=0 reads it with the offset before: an instant after. Find the jump between them, to
        # the second (tz database transitions fall on whole seconds).
        low, high = int(min(first, second).timestamp()), int(max(first, second).timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, tzinfo).replace(tzinfo=None) >= naive:
                high = middle
            else:
                low = middle
        return datetime.fromtimestamp(high, UTC)
    if first != second and not_before is not None and first < not_before <= second:
        return second  # in a fold, the first occurrence has passed: take the repeat
    return first


def next_send_time(now_utc: datetime, tz: str, quiet_start: time, quiet_end: time) -> datetime:
    """`now_utc` if it is outside quiet hours in `tz`, else the instant quiet hours end (UTC)."""
    _require_aware(now_utc, "now_utc")
    now = now_utc.astimezone(UTC)
    if not is_quiet(now, tz, quiet_start, quiet_end):
        return now
    local = now.astimezone(zone(tz))
    wall = local.time().replace(tzinfo=None)
    end_day = local.date()
    if quiet_start > quiet_end and wall >= quiet_start:
        end_day += timedelta(days=1)  # 21:00-08:00 at 23:00: quiet ends tomorrow morning
    return max(local_instant(end_day, quiet_end, tz, not_before=now), now)


def default_resume_time(
    now_utc: datetime,
    tz: str,
    hour: int = DEFAULT_RESUME_HOUR,
    delay: timedelta | None = None,
    *,
    delay_minutes: int | None = None,
    quiet_start: time = DEFAULT_QUIET_START,
    quiet_end: time = DEFAULT_QUIET_END,
) -> datetime:
    """When a paused interview resumes: the next calendar day at `hour`:00 local time, or `now_utc` plus
    `delay` (or `delay_minutes`) when the job configures a pause length; then moved out of quiet hours."""
    _require_aware(now_utc, "now_utc")
    if delay is not None and delay_minutes is not None:
        raise ValueError("give delay or delay_minutes, not both")
    if delay_minutes is not None:
        delay = timedelta(minutes=delay_minutes)
    if delay is not None and delay <= timedelta(0):
        raise ValueError("the pause must be positive")
    if not 0 <= hour <= 23:
        raise ValueError(f"hour must be 0-23, got {hour}")
    now = now_utc.astimezone(UTC)
    if delay is not None:
        resume = now + delay
    else:
        tomorrow = now.astimezone(zone(tz)).date() + timedelta(days=1)
        resume = local_instant(tomorrow, time(hour), tz)
    return next_send_time(resume, tz, quiet_start, quiet_end)
