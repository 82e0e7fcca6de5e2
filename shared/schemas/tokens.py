from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.schemas.common import ApiModel, StrictModel

Role = Literal["admin", "recruiter", "viewer"]


class TokenCreate(StrictModel):
    role: Role
    label: str = Field(min_length=1, max_length=100, description="Who or what uses the token.")


class Token(ApiModel):
    id: UUID
    role: Role
    label: str
    created_by: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(Token):
    token: str = Field(description="The secret. Shown once; only its hash is stored.")


class TokenList(ApiModel):
    items: list[Token]


class Me(ApiModel):
    """Who the presented token belongs to: the console reads the role to hide what the token cannot do."""

    role: Role
    label: str
    token_id: UUID | None = Field(description="The token's id; null for the ADMIN_TOKEN setting.")


class Health(ApiModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    version: str
