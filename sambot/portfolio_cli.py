"""What `sambot import accounts` and `sambot portfolio` do in the terminal."""

import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from sambot.cli_output import output_to
from sambot.config import Settings
from sambot.db import Database, utcnow
from sambot.portfolio import imports, service
from sambot.portfolio.imports import ImportReport, describe
from sambot.portfolio.sheet import read_sheet
from sambot.validation import DomainError
from sambot.workspaces import service as workspaces
from sambot.workspaces.models import Workspace

Echo = Callable[[str], None]
LOCAL_TEAM_ID = "T0001"  # the local shell's workspace


def _error(message: str) -> int:
    print(f"sambot: {message}", file=sys.stderr)
    return 2


def _client(settings: Settings):
    if not settings.slack_bot_token:
        return None
    from sambot.slack.client import build_web_client

    return build_web_client(settings.slack_bot_token, settings.slack_api_url)


def _workspace(database: Database, settings: Settings, team: str | None, client) -> Workspace:
    """`--team`, else the bot token's team, else the only workspace known, else the local
    shell's (so an import without Slack shows in `sambot shell`)."""
    with database.session() as session:
        if team is None and client is not None:
            team = client.auth_test()["team_id"]
        if team is None:
            known = list(session.scalars(select(Workspace.team_id)))
            if len(known) > 1:
                raise DomainError(
                    f"Several workspaces: choose one with --team ({', '.join(known)})."
                )
            team = known[0] if known else LOCAL_TEAM_ID
        return workspaces.ensure(session, team_id=team, timezone=settings.sambot_timezone)


def print_report(report: ImportReport, out: Echo) -> None:
    if report.dry_run:
        out("Dry run: nothing was written.")
    elif not report.written:
        out("Nothing imported: some rows are bad and the import is all-or-nothing.")
    if report.written:
        counts = f"{report.count('create')} created, {report.count('update')} updated"
    else:
        counts = f"{report.count('create')} to create, {report.count('update')} to update"
    out(f"{counts}, {report.count('unchanged')} unchanged, {len(report.bad_rows)} bad rows.")
    if report.written:
        good = len(report.rows) - len(report.bad_rows)
        out(f"Snapshot {report.period} recorded for {good} accounts.")
    if report.unknown_columns:
        out("Unknown columns, left out: " + ", ".join(report.unknown_columns))
    for row in report.bad_rows:
        for error in row.errors:
            out(f"row {row.row}, {error.column}: {error.reason}")
    if report.dry_run:
        for row in report.rows:
            if row.outcome in ("create", "update"):
                changes = ", ".join(
                    f"{c.field}: {describe(c.old)} -> {describe(c.new)}"
                    if row.outcome == "update"
                    else f"{c.field}: {describe(c.new)}"
                    for c in row.changes
                )
                out(f"row {row.row}, {row.outcome} {row.name}: {changes}")


def import_accounts(
    settings: Settings,
    *,
    path: str,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    period: str | None = None,
    owner: str | None = None,
    team: str | None = None,
    out: Echo = print,
) -> int:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return _error(f"cannot read {path}: {exc.strerror}")
    client = _client(settings)
    database = Database(settings.database_url)
    try:
        sheet = read_sheet(data)
        workspace = _workspace(database, settings, team, client)
        if client is not None:
            from sambot.slack.shared_files import slack_directory

            directory = slack_directory(client)
        else:
            directory = imports.OFFLINE
        period = period or f"{utcnow().astimezone(settings.timezone):%Y-%m}"
        with database.session() as session:
            report = imports.import_accounts(
                session,
                workspace_id=workspace.id,
                sheet=sheet,
                period=period,
                directory=directory,
                default_owner=owner,
                dry_run=dry_run,
                all_or_nothing=all_or_nothing,
            )
    except DomainError as exc:
        return _error(str(exc))
    finally:
        database.dispose()
    print_report(report, out)
    return 1 if report.bad_rows else 0


def portfolio(
    settings: Settings,
    *,
    by: str = "margin",
    csv_path: str | None = None,
    rates_path: str | None = None,
    chart_path: str | None = None,
    team: str | None = None,
    out: Echo = print,
) -> int:
    from sambot.portfolio.table import render_csv, render_text

    database = Database(settings.database_url)
    try:
        metric = service.metric_named(by)
        rates_path = rates_path or settings.sambot_rates_file
        rates = service.read_rates(Path(rates_path).read_bytes()) if rates_path else None
        workspace = _workspace(database, settings, team, None)
        with database.session() as session:
            analysis = service.analyse_portfolio(
                session, workspace_id=workspace.id, metric=metric, rates=rates
            )
    except DomainError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"cannot read {rates_path}: {exc.strerror}")
    finally:
        database.dispose()
    out(render_text(analysis).rstrip("\n"))
    if csv_path:
        with output_to(csv_path) as ranking:
            ranking.write(render_csv(analysis))
        out(f"Ranking written to {csv_path}")
    if chart_path:
        from sambot.portfolio.chart import pareto_png

        Path(chart_path).write_bytes(pareto_png(analysis))
        out(f"Chart written to {chart_path}")
    return 0
