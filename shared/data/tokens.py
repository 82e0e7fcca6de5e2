from __future__ import annotations

from uuid import UUID

from shared.db import fetch_all, fetch_one, transaction

_COLUMNS = "id, role, label, created_by, created_at, last_used_at, revoked_at"


def insert(token_hash: str, role: str, label: str, created_by: str | None) -> dict:
    row = fetch_one(
        f"INSERT INTO api_tokens (token_hash, role, label, created_by) VALUES (%s, %s, %s, %s) "
        f"RETURNING {_COLUMNS}",
        (token_hash, role, label, created_by),
    )
    assert row is not None
    return row


def find_active_by_hash(token_hash: str) -> dict | None:
    """Look a token up and note its use; the write is skipped within a minute of the last one."""
    with transaction() as cur:
        cur.execute(
            "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = %s AND revoked_at IS NULL "
            "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') RETURNING id, role, label",
            (token_hash,),
        )
        row = cur.fetchone()
        if row is None:
            cur.execute(
                "SELECT id, role, label FROM api_tokens WHERE token_hash = %s AND revoked_at IS NULL",
                (token_hash,),
            )
            row = cur.fetchone()
        return row


def list_all(include_revoked: bool) -> list[dict]:
    where = "" if include_revoked else "WHERE revoked_at IS NULL"
    return fetch_all(f"SELECT {_COLUMNS} FROM api_tokens {where} ORDER BY created_at DESC, id DESC")


def revoke(token_id: UUID) -> dict | None:
    return fetch_one(
        f"UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s RETURNING {_COLUMNS}",
        (str(token_id),),
    )
