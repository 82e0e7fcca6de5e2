from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from shared.schemas.common import StrictModel

Role = Literal["admin", "recruiter", "viewer"]


class TokenCreate(StrictModel):
    role: Role
    label: str = Field(min_length=1, max_length=100, description="Who or what uses the token.")


class Token(BaseModel):
    id: UUID
    role: Role
    label: str
    created_by: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(Token):
    token: str = Field(description="The secret. Shown once; only its hash is stored.")


class TokenList(BaseModel):
    items: list[Token]


class Me(BaseModel):
    """Who the presented token belongs to: the console reads the role to hide what the token cannot do."""

    role: Role
    label: str
    token_id: UUID | None = Field(description="The token's id; null for the ADMIN_TOKEN setting.")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    version: str
