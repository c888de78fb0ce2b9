"""`/sam settings [open|team|owner]`: who may change accounts, set by workspace admins."""

import re

from slack_bolt import App

from sambot.accounts.permissions import EditPolicy, policy_named
from sambot.slack.context import Interaction
from sambot.slack.errors import reported
from sambot.slack.ids import SettingsButton
from sambot.slack.permissions import require_admin
from sambot.slack.refs import StaleReference
from sambot.slack.settings_render import settings_message
from sambot.validation import DomainError
from sambot.workspaces import service as workspaces

WORDS = {"open": EditPolicy.OPEN, "team": EditPolicy.TEAM, "owner": EditPolicy.OWNER}


def register(app: App) -> None:
    app.action(re.compile(f"^{SettingsButton.POLICY_PREFIX}"))(reported(policy_chosen))


def _current(interaction: Interaction) -> EditPolicy:
    with interaction.sam.session() as session:
        stored = workspaces.edit_policy(session, workspace_id=interaction.workspace.id)
    return policy_named(stored)


def _set(interaction: Interaction, policy: EditPolicy) -> str:
    require_admin(interaction)
    with interaction.sam.session() as session:
        workspaces.set_edit_policy(
            session, workspace_id=interaction.workspace.id, policy=policy.value
        )
    return f":white_check_mark: <@{interaction.user_id}> set who may change accounts."


def settings_command(*, respond, interaction: Interaction, rest: str, **_):
    word = rest.strip().lower().removeprefix("policy").strip()
    note = None
    if word:
        if word not in WORDS:
            raise DomainError(
                "Say `/sam settings` to see the settings, or `/sam settings open`, "
                "`/sam settings team` or `/sam settings owner` to set who may change accounts."
            )
        note = _set(interaction, WORDS[word])
    text, blocks = settings_message(_current(interaction), note=note)
    respond(text=text, blocks=blocks, response_type="ephemeral")


def policy_chosen(ack, action, respond, interaction: Interaction):
    ack()
    word = action.get("value")
    if word not in WORDS:
        raise StaleReference()
    note = _set(interaction, WORDS[word])
    text, blocks = settings_message(_current(interaction), note=note)
    respond(text=text, blocks=blocks, replace_original=True)
