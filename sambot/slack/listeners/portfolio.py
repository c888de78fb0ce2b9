"""/sam import (a CSV shared in the conversation), /sam portfolio, and its tier buttons."""

import logging
import re

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from sambot.accounts import service as accounts
from sambot.accounts.models import Tier
from sambot.portfolio import imports, service
from sambot.portfolio.pareto import Analysis, Metric
from sambot.portfolio.sheet import read_sheet
from sambot.portfolio.table import render_csv
from sambot.slack import messages
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import Button
from sambot.slack.permissions import require_change, viewer
from sambot.slack.portfolio_render import import_report_message, portfolio_message
from sambot.slack.refs import TierChoice
from sambot.slack.shared_files import download, newest_csv, share_ts, slack_directory
from sambot.validation import DomainError

logger = logging.getLogger("sambot.slack")

NO_FILE = (
    "Share the CSV file in this conversation first (drag it into the message box, or share "
    "it in your direct messages with sambot), then run `/sam import` here again. "
    "Columns: name, annual revenue, gross margin, potential revenue, currency, industry, "
    "tier, owner (a user id or an email), channel (an id or #name)."
)
OPTIONS = re.compile(r"--?(dry-run|all-or-nothing|period)(?:[ =](\d{4}-\d{2}))?")


def register(app: App) -> None:
    app.action(Button.PORTFOLIO_TIER)(reported(change_tier))


def _reply(respond, message: messages.Message, **extra) -> None:
    text, blocks = message
    respond(text=text, blocks=blocks, response_type="ephemeral", **extra)


def parse_import_options(rest: str) -> dict:
    """`--dry-run`, `--all-or-nothing`, `--period YYYY-MM` (after `/sam import`)."""
    words = rest.lower().replace("dry run", "dry-run").replace("—", "--")
    options = {"dry_run": False, "all_or_nothing": False, "period": None}
    for name, value in OPTIONS.findall(words):
        if name == "period":
            if not value:
                raise DomainError("Give the period as `--period 2026-11`.")
            options["period"] = value
        else:
            options[name.replace("-", "_")] = True
    leftover = OPTIONS.sub("", words).strip()
    if leftover:
        raise DomainError(
            f"I don't know `{leftover}` here. Options: `--dry-run`, `--all-or-nothing`, "
            "`--period 2026-11`."
        )
    return options


def import_command(*, command, client, respond, interaction: Interaction, rest: str, **_):
    options = parse_import_options(rest)
    channel_id, user_id = command["channel_id"], interaction.user_id
    file = newest_csv(client, channel_id=channel_id, user_id=user_id)
    if file is None:
        return _reply(respond, messages.notice(NO_FILE))
    _reply(respond, messages.notice(f":hourglass_flowing_sand: Reading *{file['name']}*…"))
    # files.info has the file's shares (the message to answer under), which a listing may omit.
    file = client.files_info(file=file["id"])["file"]
    sheet = read_sheet(download(client, file))
    period = options["period"] or f"{interaction.today:%Y-%m}"
    with interaction.sam.session() as session:
        report = imports.import_accounts(
            session,
            workspace_id=interaction.workspace.id,
            sheet=sheet,
            period=period,
            directory=slack_directory(client),
            default_owner=user_id,
            dry_run=options["dry_run"],
            all_or_nothing=options["all_or_nothing"],
        )
    text, blocks = import_report_message(report, file["name"])
    thread_ts = share_ts(file, channel_id)
    if thread_ts:
        client.chat_postMessage(channel=channel_id, thread_ts=thread_ts, text=text, blocks=blocks)
    else:
        _reply(respond, messages.Message(text, blocks))


def _rates(interaction: Interaction):
    path = interaction.sam.settings.sambot_rates_file
    if not path:
        return None
    with open(path, "rb") as file:
        return service.read_rates(file.read())


def _analysis(interaction: Interaction, metric: Metric) -> Analysis:
    with interaction.sam.session() as session:
        return service.analyse_portfolio(
            session,
            workspace_id=interaction.workspace.id,
            metric=metric,
            rates=_rates(interaction),
            viewer=viewer(interaction, session),
        )


def portfolio_command(*, client, respond, interaction: Interaction, rest: str, **_):
    metric = service.metric_named(rest.strip() or None)
    analysis = _analysis(interaction, metric)
    files_note = None
    if analysis.groups:
        try:
            send_chart(client, interaction.user_id, analysis)
            files_note = (
                "The Pareto chart and the full ranking (CSV) are in your direct messages "
                "with sambot."
            )
        except SlackApiError as exc:
            # The analysis is still worth showing without its chart.
            logger.warning("could not upload the Pareto chart: %s", exc.response.get("error"))
            files_note = (
                ":warning: I could not send the chart and the full ranking to your direct "
                f"messages (Slack said `{exc.response.get('error')}`)."
            )
    _reply(respond, portfolio_message(analysis, files_note=files_note))


def send_chart(client, user_id: str, analysis: Analysis) -> None:
    """The chart and every ranked account, as files in the user's DM with sambot."""
    # Imported here: matplotlib costs about a second and 40 MB, paid only by who draws.
    from sambot.portfolio.chart import pareto_png

    metric = analysis.metric
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=dm,
        initial_comment=f"Pareto selection by {metric.label}: the chart and every ranked account.",
        file_uploads=[
            {
                "content": pareto_png(analysis),
                "filename": f"pareto-{metric.value}.png",
                "title": f"Pareto chart: {metric.label}",
            },
            {
                "content": render_csv(analysis),
                "filename": f"pareto-{metric.value}.csv",
                "title": f"Pareto ranking: {metric.label}",
            },
        ],
    )


def change_tier(ack, action, respond, interaction: Interaction):
    ack()
    choice = TierChoice.decode(action.get("value"))
    with interaction.sam.session() as session:
        before = accounts.get(
            session, workspace_id=interaction.workspace.id, account_id=choice.account_id
        )
        require_change(interaction, session, before, "the account")
        account = service.set_tier(
            session,
            workspace_id=interaction.workspace.id,
            account_id=choice.account_id,
            tier=Tier(choice.tier),
        )
        name = account.name
    note = f":white_check_mark: <@{interaction.user_id}> made *{name}* {choice.tier}."
    analysis = _analysis(interaction, Metric(choice.metric))
    text, blocks = portfolio_message(analysis, note=note)
    respond(text=text, blocks=blocks, replace_original=True)
