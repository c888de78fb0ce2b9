"""`sambot audit export --since DATE [--team T] [--output FILE]`."""

import json
import sys
from datetime import UTC, date, datetime

from sambot.config import Settings


def export(settings: Settings, *, since: str, team: str | None, output: str | None) -> int:
    from sambot.audit.service import export_lines
    from sambot.db import Database

    try:
        start = datetime.combine(date.fromisoformat(since), datetime.min.time(), UTC)
    except ValueError:
        print(f"sambot: give --since as YYYY-MM-DD (not {since!r})", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    count = 0
    try:
        out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            with database.session() as db:
                for line in export_lines(db, since=start, team_id=team):
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                    count += 1
        finally:
            if output:
                out.close()
    finally:
        database.dispose()
    print(f"exported {count} changes since {start:%Y-%m-%d} (UTC)", file=sys.stderr)
    return 0
