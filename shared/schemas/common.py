from __future__ import annotations

from datetime import time
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


class ApiModel(BaseModel):
    """Base of the API's models. Their validators and serializers are built on first use, not at import:
    building all of them costs tens of milliseconds of every Functions cold start."""

    model_config = ConfigDict(defer_build=True)


class StrictModel(ApiModel):
    """Request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(ApiModel):
    """A page of a list endpoint. Each list declares a subclass that narrows `items` (`JobPage`, ...) rather
    than using a generic `Page[T]`: parametrizing a generic model builds its validator at import, ~8 ms of
    every cold start per list."""

    items: list[Any]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


def _hhmm(value: str) -> str:
    try:
        hours, minutes = value.split(":")
        time(int(hours), int(minutes))
    except ValueError:
        raise ValueError("must be a time of day as HH:MM") from None
    return f"{int(hours):02d}:{int(minutes):02d}"


def _timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone such as Europe/London") from None
    return value


HHMM = Annotated[str, StringConstraints(pattern=r"^\d{1,2}:\d{2}$"), AfterValidator(_hhmm)]
TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_timezone)]
