"""`python -m shared.db migrate` applies pending migrations; `python -m shared.db status` lists applied ones."""

from __future__ import annotations

import argparse
import sys

from shared.db import authenticated_database_url
from shared.db.migrate import MigrationError, applied, discover, migrate
from shared.settings import SettingsError, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.db", description="Database schema management")
    parser.add_argument("command", choices=["migrate", "status"])
    args = parser.parse_args(argv)
    try:
        url = authenticated_database_url(get_settings())
        if args.command == "migrate":
            names = migrate(url)
            print(f"applied {len(names)} migration(s)" + (": " + ", ".join(names) if names else ""))
        else:
            done = set(applied(url))
            for migration in discover():
                print(("applied  " if migration.name in done else "pending  ") + migration.name)
    except (SettingsError, MigrationError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
