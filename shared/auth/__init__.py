"""API tokens and roles.

Tokens are random secrets shown once and stored as SHA-256 hashes (they carry 256 bits of entropy, so a
fast hash is enough). Roles are ordered: viewer reads, recruiter reads and writes data, admin does
everything and manages tokens. ADMIN_TOKEN, when set, is accepted as an admin token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from uuid import UUID

from shared.errors import Forbidden, Unauthorized

ROLE_RANK = {"viewer": 1, "recruiter": 2, "admin": 3}
TOKEN_PREFIX = "iai_"  # noqa: S105 - makes leaked tokens recognisable; not a secret


@dataclass(frozen=True)
class Principal:
    role: str
    label: str
    token_id: UUID | None = None

    @property
    def actor(self) -> str:
        """Who did something, for the audit trail: a token id, never the secret."""
        return f"token:{self.token_id}" if self.token_id else f"{self.label}"

    def require(self, role: str) -> None:
        if ROLE_RANK[self.role] < ROLE_RANK[role]:
            raise Forbidden(f"this action needs the {role} role; the token has {self.role}")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return value.strip()


def authenticate(authorization: str | None, admin_token: str | None) -> Principal:
    """Resolve the caller from the Authorization header, or raise Unauthorized."""
    from shared.data import tokens as token_store

    token = bearer_token(authorization)
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(role="admin", label="ADMIN_TOKEN")
    row = token_store.find_active_by_hash(hash_token(token))
    if row is None:
        raise Unauthorized("the API token is unknown or revoked")
    return Principal(role=row["role"], label=row["label"], token_id=row["id"])
