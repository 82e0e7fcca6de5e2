from __future__ import annotations

from uuid import UUID

from shared.auth import Principal, hash_token, new_token
from shared.data import tokens as token_store
from shared.errors import NotFound
from shared.schemas.tokens import Token, TokenCreate, TokenCreated


def create_token(request: TokenCreate, created_by: str | None) -> TokenCreated:
    secret = new_token()
    row = token_store.insert(hash_token(secret), request.role, request.label, created_by)
    return TokenCreated(token=secret, **row)


def list_tokens(include_revoked: bool = False) -> list[Token]:
    return [Token(**row) for row in token_store.list_all(include_revoked)]


def revoke_token(token_id: UUID, principal: Principal) -> Token:
    row = token_store.revoke(token_id)
    if row is None:
        raise NotFound(f"no token with id {token_id}")
    return Token(**row)
