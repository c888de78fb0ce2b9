"""Every Slack entry point sambot offers, described once.

The listeners register from these names, `/sam help` lists them, and the app manifest is
built from them, so the three cannot drift apart.
"""

from dataclasses import dataclass

from sambot.slack.ids import Callback


@dataclass(frozen=True)
class SlashCommand:
    command: str
    description: str
    usage_hint: str
    should_escape: bool  # True when the text may carry @mentions or #channels


@dataclass(frozen=True)
class Shortcut:
    name: str
    callback_id: str
    description: str
    type: str = "message"


SAM = SlashCommand(
    "/sam", "Account plans: accounts, plan, portfolio, stakeholders, map, reports", "help", True
)
TOUCHPOINT = SlashCommand(
    "/touchpoint", "Log a touchpoint with the client", "[kind] [summary]", False
)
ACTION = SlashCommand(
    "/action", "Create or list action items", "[@owner title by date | list]", True
)

SLASH_COMMANDS = [SAM, TOUCHPOINT, ACTION]

# The events the listeners handle (listeners/events.py).
BOT_EVENTS = [
    "app_home_opened",
    "channel_shared",
    "channel_unshared",
    "member_joined_channel",
    "channel_unarchive",
    "member_left_channel",
    # listeners/installs.py: the workspace's jobs stop and its installation is removed.
    "app_uninstalled",
    "tokens_revoked",
]

SHORTCUTS = [
    Shortcut("Log as touchpoint", Callback.LOG_AS_TOUCHPOINT, "Log this message as a touchpoint"),
    Shortcut("Create action", Callback.CREATE_ACTION, "Create an action item from this message"),
]

# (usage, what it does) for /sam help; the order is the order people learn them in.
HELP = [
    ("/touchpoint", "Log a touchpoint in a form: who, when, what was said, a follow-up."),
    (
        "/touchpoint call Discussed the renewal timeline",
        "Log a call at once for this channel's account.",
    ),
    ("/action", "Create an action item in a form."),
    ("/action @dana Send the revised proposal by next friday", "Create an action at once."),
    ("/action list", "Your open actions, overdue first, with buttons."),
    ("/sam account new", "Create an account."),
    ("/sam link Acme", "Link this channel to the Acme account."),
    ("/sam account", "This channel's account at a glance."),
    ("/sam accounts", "Every account."),
    ("/sam stakeholder new", "Add a stakeholder: role, power, influence, interest, attitude."),
    ("/sam stakeholders", "This account's stakeholders, each with Edit (or left the company)."),
    ("/sam map", "The stakeholder map (power x interest) as an image, and its text."),
    ("/sam map org", "The client's org chart from reports-to, with attitudes and owners."),
    (
        "/sam team",
        "The account team; add people, set roles; who is in the channel but not on the team.",
    ),
    ("/sam account edit", "Correct the account: name, owner, tier, revenue, margin, potential."),
    ("/sam account archive", "Archive the account: no nudges or reports, history kept."),
    ("/sam account unarchive", "Bring an archived account back (in its channel)."),
    (
        "/sam account private on",
        "Only the account team and workspace admins see it in lists (`off` shows it again).",
    ),
    ("/sam objectives", "The account's objectives, their actions and progress; add and edit."),
    ("/sam history", "Every touchpoint, newest first, a page at a time."),
    (
        "/sam history @Walter call since 2026-09-01",
        "Touchpoints with one stakeholder, of one kind, since a date.",
    ),
    (
        "/sam changes",
        "Who changed what and from where (the audit trail), newest first, a page at a time.",
    ),
    ("/sam changes Acme since 2026-11-01", "Changes to one account, since a date."),
    ("/sam report 2026-10", "Preview the monthly strategic-action report, then post it."),
    ("/sam report client", "The client version: only actions shared with the client."),
    ("/sam plan", "The account plan: one block per section, each with its Edit button."),
    (
        "/sam plan competition",
        "Open one section: profile, value, strategy, industry, competition, expansion, objectives.",
    ),
    ("/sam plan export", "The whole plan as a Markdown file and a web page, in this channel."),
    (
        "/sam checkpoint",
        "Alignment checkpoint: the team scores three questions by DM; results here.",
    ),
    ("/sam checkpoint close", "Close the open checkpoint now and post its results."),
    ("/sam checkpoint monthly on", "Ask this account's team every month (`off` stops it)."),
    ("/sam programme", "Every strategic account on one page, what needs attention first."),
    ("/sam programme channel", "Post the programme roll-up in this channel every month."),
    (
        "/sam import",
        "Import accounts from the CSV you just shared here (`--dry-run`, `--all-or-nothing`).",
    ),
    ("/sam portfolio margin", "Pareto selection by margin, revenue or potential, with a chart."),
    (
        "/sam settings",
        "Who may change accounts: open, team only (default) or owner only; admins set it.",
    ),
    ("/sam help", "This help."),
]

SAM_SUBCOMMANDS = [
    "help",
    "account new",
    "account",
    "accounts",
    "link",
    "stakeholder new",
    "stakeholders",
    "team",
    "report",
    "account edit",
    "account archive",
    "account unarchive",
    "account private on",
    "account private off",
    "objectives",
    "history",
    "changes",
    "map",
    "map org",
    "plan",
    "plan export",
    "checkpoint",
    "checkpoint close",
    "checkpoint monthly on",
    "checkpoint monthly off",
    "programme",
    "programme channel",
    "import",
    "portfolio",
    "settings",
]
