"""Keyset pagination over (created_at DESC, id DESC): stable under inserts, cheap at any depth."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from uuid import UUID

from shared.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode_cursor(created_at: datetime, row_id: UUID | str) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(created_at), UUID(row_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ValidationFailed.single("cursor", "not a cursor returned by this API") from None


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationFailed.single("limit", "must be an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.single("limit", f"must be between 1 and {MAX_LIMIT}")
    return limit


def keyset_clause(cursor: str | None, alias: str = "") -> tuple[str, tuple]:
    """SQL condition (possibly TRUE) and its parameters for rows after `cursor`."""
    if not cursor:
        return "TRUE", ()
    created_at, row_id = decode_cursor(cursor)
    prefix = f"{alias}." if alias else ""
    return f"({prefix}created_at, {prefix}id) < (%s, %s)", (created_at, str(row_id))


def page_of(rows: list[dict], limit: int) -> tuple[list[dict], str | None]:
    """Rows were fetched with LIMIT limit+1: split off the extra one into a next cursor."""
    if len(rows) > limit:
        last = rows[limit - 1]
        return rows[:limit], encode_cursor(last["created_at"], last["id"])
    return rows, None
