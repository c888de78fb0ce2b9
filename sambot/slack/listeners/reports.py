"""/sam report: a private preview of the monthly strategic-action report, then a post."""

import re
from datetime import date

from slack_bolt import App

from sambot.accounts import service as accounts
from sambot.relationships.cadence import Cadences
from sambot.reports.monthly import client_version_for, report_for_account
from sambot.slack import blocks as bk
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import Button
from sambot.slack.refs import ReportChoice
from sambot.slack.report_render import render_report
from sambot.slack.sharing import permalink, post_to_account

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def register(app: App) -> None:
    # `/sam report` itself is a subcommand, dispatched by the /sam listener.
    app.action(Button.POST_REPORT)(reported(post_report))


def previous_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def preview_report(*, respond, interaction: Interaction, rest: str, **_):
    words = rest.lower().split()
    client_version = "client" in words
    periods = [word for word in words if word != "client"]
    if len(periods) > 1 or (periods and not PERIOD.match(periods[0])):
        return respond(
            text="Give the month as YYYY-MM: `/sam report 2026-10` or `/sam report client 2026-10`.",
            response_type="ephemeral",
        )
    period = periods[0] if periods else previous_month(interaction.today)
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="show its report")
        report = report_for_account(
            session,
            workspace=interaction.workspace,
            account=account,
            period_key=period,
            cadences=Cadences.from_settings(interaction.sam.settings),
            stale_days=interaction.sam.settings.sambot_stale_days,
        )
        client_version = client_version_for(
            channel_shared_with_client=account.channel_shared_with_client, asked=client_version
        )
        rendered = render_report(report, client=client_version)
    value = ReportChoice(account_id=account.id, period=period, client=client_version).encode()
    controls = [
        bk.context("Preview: only you can see this."),
        bk.actions(bk.button("Post to channel", Button.POST_REPORT, value=value, style="primary")),
    ]
    # Two blocks are kept for the controls: the report itself stays within 48.
    respond(
        text=rendered.text, blocks=[*rendered.blocks[:48], *controls], response_type="ephemeral"
    )


def post_report(ack, action, client, respond, interaction: Interaction):
    ack()
    choice = ReportChoice.decode(action["value"])
    user_id, workspace = interaction.user_id, interaction.workspace
    with interaction.sam.session() as session:
        account = accounts.get(session, workspace_id=workspace.id, account_id=choice.account_id)
        report = report_for_account(
            session,
            workspace=workspace,
            account=account,
            period_key=choice.period,
            cadences=Cadences.from_settings(interaction.sam.settings),
            stale_days=interaction.sam.settings.sambot_stale_days,
        )
        client_version = client_version_for(
            channel_shared_with_client=account.channel_shared_with_client, asked=choice.client
        )
        rendered = render_report(report, client=client_version)
        posted = post_to_account(
            client, account, (rendered.text, rendered.blocks), creator_id=user_id
        )
    link = permalink(client, posted)
    where = f"<#{posted.channel_id}>" if posted.in_account_channel else "your direct messages"
    respond(
        text=f":white_check_mark: Report for {choice.period} posted in {where}"
        + (f" · <{link}|view>" if link else "")
        + f" by <@{user_id}>.",
        replace_original=True,
    )
