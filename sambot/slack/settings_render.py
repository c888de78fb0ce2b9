"""`/sam settings`: the workspace's edit policy, and buttons to change it."""

from sambot.accounts.permissions import POLICY_LABELS, EditPolicy
from sambot.slack import blocks as bk
from sambot.slack.ids import SettingsButton
from sambot.slack.messages import Message

BUTTON_LABELS = {
    EditPolicy.OPEN: "Open",
    EditPolicy.TEAM: "Team only",
    EditPolicy.OWNER: "Owner only",
}


def settings_message(policy: EditPolicy, *, note: str | None = None) -> Message:
    text = f"Who may change accounts: {POLICY_LABELS[policy]}"
    buttons = [
        bk.button(
            BUTTON_LABELS[choice],
            f"{SettingsButton.POLICY_PREFIX}{choice.value}",
            value=choice.value,
            style="primary" if choice == policy else None,
        )
        for choice in EditPolicy
    ]
    blocks = [
        *([bk.context(note)] if note else []),
        bk.section(
            f":lock: *Who may change accounts* (plans, stakeholders, objectives, actions, "
            f"the account and its team)\n*{POLICY_LABELS[policy]}*"
        ),
        bk.actions(*buttons, block_id="settings_policy"),
        bk.context(
            "Logging touchpoints stays open to everyone. An action's owner may always change "
            "its status. Only workspace admins and owners can change this setting. "
            "`/sam account private on` in an account's channel hides it from people outside "
            "its team."
        ),
    ]
    return Message(text, blocks)
