"""/sam programme [channel]: the roll-up for leadership, and where its monthly post goes."""

from slack_bolt import App

from sambot.programme import service as programme
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import ProgrammeButton
from sambot.slack.permissions import viewer
from sambot.slack.programme_render import programme_message
from sambot.slack.refs import ProgrammePage


def register(app: App) -> None:
    app.action(ProgrammeButton.NEXT)(reported(turn_page))
    app.action(ProgrammeButton.FIRST)(reported(turn_page))


def _page(interaction: Interaction, offset: int):
    with interaction.sam.session() as session:
        rows = programme.rows(
            session,
            workspace_id=interaction.workspace.id,
            today=interaction.today,
            timezone=interaction.workspace.timezone,
            viewer=viewer(interaction, session),
        )
    return programme_message(rows, interaction.today, offset=offset)


def programme_command(*, command, respond, interaction: Interaction, rest: str, **_):
    if rest.lower().split()[:1] == ["channel"]:
        return set_channel(command, respond, interaction)
    text, blocks = _page(interaction, 0)
    respond(text=text, blocks=blocks, response_type="ephemeral")
    return None


def set_channel(command, respond, interaction: Interaction):
    channel = command["channel_id"]
    if channel[0] not in "CG" or command.get("channel_name", "").startswith("mpdm-"):
        text = "Run `/sam programme channel` in the channel where leadership follows the programme."
        return respond(text=text, response_type="ephemeral")
    with interaction.sam.session() as session:
        programme.set_programme_channel(
            session,
            workspace_id=interaction.workspace.id,
            channel_id=channel,
            set_by=interaction.user_id,
        )
    respond(
        text=f":bar_chart: <@{interaction.user_id}> chose this channel for the programme roll-up: "
        "every strategic account on one page, posted here at the start of each month. "
        "`/sam programme` shows it now.",
        response_type="in_channel",
    )
    return None


def turn_page(ack, body, action, respond, interaction: Interaction):
    ack()
    offset = ProgrammePage.decode(action.get("value")).offset
    text, blocks = _page(interaction, offset)
    # An ephemeral roll-up turns its page in place; the monthly post stays for everyone,
    # and the next page comes to the presser alone.
    in_place = bool((body.get("container") or {}).get("is_ephemeral"))
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=in_place)
