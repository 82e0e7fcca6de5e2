"""`python -m shared.auth create-token --role admin --label ops` mints a token and prints it once."""

from __future__ import annotations

import argparse
import sys

from shared.schemas.tokens import TokenCreate
from shared.services.tokens import create_token, list_tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.auth", description="API token management")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-token", help="mint a token (printed once)")
    create.add_argument("--role", choices=["admin", "recruiter", "viewer"], required=True)
    create.add_argument("--label", default="cli")
    commands.add_parser("list-tokens", help="list active tokens (never their secrets)")
    args = parser.parse_args(argv)
    if args.command == "create-token":
        created = create_token(TokenCreate(role=args.role, label=args.label), created_by="cli")
        print(created.token)
        print(f"id={created.id} role={created.role} label={created.label}", file=sys.stderr)
    else:
        for token in list_tokens():
            print(f"{token.id}  {token.role:<9}  {token.label}  last used {token.last_used_at or 'never'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
