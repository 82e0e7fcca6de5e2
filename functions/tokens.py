"""Admin API: API tokens."""

from __future__ import annotations

import azure.durable_functions as df

from functions.deferred import deferred_import
from functions.http import ApiRequest, endpoint
from shared.openapi import QueryParam
from shared.schemas.tokens import Me, Token, TokenCreate, TokenCreated, TokenList

bp = df.Blueprint()
# Services are imported when a function first runs, not at cold start (functions/deferred.py).
tokens = deferred_import("shared.services.tokens")
TAGS = ("tokens",)


@endpoint(
    bp,
    "tokens",
    "POST",
    role="admin",
    summary="Mint an API token (the secret is shown once)",
    tags=TAGS,
    request_model=TokenCreate,
    response_model=TokenCreated,
    status=201,
)
def create_token(request: ApiRequest) -> TokenCreated:
    return tokens.create_token(request.json(TokenCreate), created_by=request.principal.actor)


@endpoint(
    bp,
    "tokens",
    "GET",
    role="admin",
    summary="List API tokens (never their secrets)",
    tags=TAGS,
    response_model=TokenList,
    errors=(422,),
    query=(QueryParam("include_revoked", "Also list revoked tokens.", {"type": "boolean"}),),
)
def list_tokens(request: ApiRequest) -> TokenList:
    return TokenList(items=tokens.list_tokens(request.query_bool("include_revoked")))


@endpoint(
    bp, "tokens/{id}", "DELETE", role="admin", summary="Revoke an API token", tags=TAGS, response_model=Token
)
def revoke_token(request: ApiRequest) -> Token:
    return tokens.revoke_token(request.uuid_param(), request.principal)


@endpoint(
    bp,
    "me",
    "GET",
    role="viewer",
    summary="The role and label of the presented token",
    tags=TAGS,
    response_model=Me,
    description="Any valid token may ask; the recruiter console uses it to show only what the role allows.",
)
def who_am_i(request: ApiRequest) -> Me:
    principal = request.principal
    return Me(role=principal.role, label=principal.label, token_id=principal.token_id)
