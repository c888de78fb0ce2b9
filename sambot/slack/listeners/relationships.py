"""Relationships: `/sam map [org]`, the cadence reminder's buttons, and the actions offered
for review after a touchpoint."""

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sambot.accounts import service as accounts
from sambot.accounts.models import Account
from sambot.db import Database
from sambot.relationships import cadence, coverage, related
from sambot.relationships.stakeholder_map import map_points, org_chart
from sambot.slack import blocks as bk
from sambot.slack import relationship_render as render
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import RelationshipButton
from sambot.slack.listeners.common import open_form, touchpoint_modal_for
from sambot.slack.refs import CadenceRef, FormOrigin
from sambot.stakeholders import service as stakeholders
from sambot.touchpoints.models import Touchpoint


def register(app: App) -> None:
    app.action(RelationshipButton.LOG_TOUCHPOINT)(reported(log_touchpoint))
    app.action(RelationshipButton.SNOOZE)(reported(snooze))


def cadences(interaction: Interaction) -> cadence.Cadences:
    return cadence.Cadences.from_settings(interaction.sam.settings)


def account_coverage(
    interaction: Interaction, session, account_ids
) -> dict[int, coverage.Coverage]:
    return coverage.coverage_of(
        session, account_ids=account_ids, today=interaction.today, cadences=cadences(interaction)
    )


# /sam map [org] ----------------------------------------------------------------------------


def show_map(*, command, client, respond, interaction: Interaction, rest: str, **_):
    # Imported here: matplotlib costs about a second and 40 MB, paid only by who draws.
    from sambot.relationships.drawing import draw_map, draw_org_chart

    what = rest.strip().lower()
    if what not in ("", "org"):
        return respond(
            text="`/sam map` draws the stakeholder map; `/sam map org` the org chart.",
            response_type="ephemeral",
        )
    org = what == "org"
    with interaction.sam.session() as session:
        account = interaction.linked_account(session, doing="draw its stakeholder map")
        people = cadence.touches(
            session,
            account_ids=[account.id],
            as_of=interaction.today,
            cadences=cadences(interaction),
        ).get(account.id, [])
        name, slug = account.name, _slug(account.name)
    if org:
        owners = {p.relationship_owner_id for p in people if p.relationship_owner_id}
        names = {
            user_id: interaction.sam.people.get(user_id, interaction.token).name
            for user_id in owners
        }
        nodes = org_chart(people)
        image = draw_org_chart(nodes, title=f"{name}: org chart", owner_names=names)
        text, filename, title = (
            render.org_text(name, nodes),
            f"{slug}-org-chart.png",
            f"{name}: org chart",
        )
    else:
        image = draw_map(map_points(people), title=f"{name}: stakeholder map (power x interest)")
        text, filename = render.map_text(name, people), f"{slug}-stakeholder-map.png"
        title = f"{name}: stakeholder map"
    client.files_upload_v2(
        channel=command["channel_id"],
        file=image,
        filename=filename,
        title=title,
        initial_comment=text,
    )


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "account"


# The cadence reminder's buttons ------------------------------------------------------------


def log_touchpoint(ack, body, action, client, respond, interaction: Interaction):
    """The touchpoint form, with the account and that stakeholder already chosen."""
    ack()
    ref = CadenceRef.decode(action["value"])
    workspace_id = interaction.workspace.id
    with interaction.sam.session() as session:
        account = accounts.get(session, workspace_id=workspace_id, account_id=ref.account_id)
        person = stakeholders.get(
            session, workspace_id=workspace_id, stakeholder_id=ref.stakeholder_id
        )
        view = touchpoint_modal_for(
            session,
            interaction,
            account=account,
            prefill={"stakeholder_ids": [person.id]},
            origin=FormOrigin(
                channel=interaction.channel_id, response_url=body.get("response_url")
            ),
        )
    open_form(client, respond, interaction, view)


def snooze(ack, body, action, client, interaction: Interaction):
    """Mute the reminder about that stakeholder for two weeks; the reminder says so in place."""
    ack()
    ref = CadenceRef.decode(action["value"])
    with interaction.sam.session() as session:
        person = stakeholders.get(
            session, workspace_id=interaction.workspace.id, stakeholder_id=ref.stakeholder_id
        )
        until = cadence.snooze(session, stakeholder=person, today=interaction.today)
        name = person.name
    note = render.snoozed_note(name, until)
    message = body.get("message") or {}
    buttons_id = f"cadence_buttons_{ref.stakeholder_id}"
    blocks = [
        bk.context(note, block_id=buttons_id) if block.get("block_id") == buttons_id else block
        for block in message.get("blocks", [])
    ]
    channel = (body.get("channel") or {}).get("id")
    if channel and message.get("ts") and blocks:
        client.chat_update(
            channel=channel, ts=message["ts"], text=message.get("text", note), blocks=blocks
        )
    else:
        client.chat_postMessage(channel=interaction.user_id, text=note)


# After a touchpoint ------------------------------------------------------------------------


def offer_actions_to_review(
    client: WebClient,
    database: Database,
    *,
    touchpoint: Touchpoint,
    account: Account,
    user_id: str,
    channel_id: str | None,
    today,
    follow_up_objective_id: int | None = None,
    leave_out: tuple[int, ...] = (),
) -> None:
    """Show the one who logged the touchpoint, alone, the account's open actions that
    involve the same people or their objectives, each with its buttons (Mark done...)."""
    names = [person.name for person in touchpoint.stakeholders]
    with database.session() as session:
        found = related.actions_to_review(
            session,
            account_id=account.id,
            stakeholder_names=names,
            objective_ids=[follow_up_objective_id],
            leave_out=leave_out,
        )
        if not found:
            return
        text, blocks = render.related_actions_message(account.name, names, found, today)
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError:
            pass
    client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
