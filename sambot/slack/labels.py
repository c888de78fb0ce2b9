"""How enum values read in Slack."""

from sambot.accounts.models import TeamRole, Tier
from sambot.stakeholders.models import ATTITUDE_LABELS, StakeholderRole
from sambot.touchpoints.models import Sentiment, TouchpointKind

TIER_LABELS = {Tier.STRATEGIC: "Strategic", Tier.KEY: "Key", Tier.OTHER: "Other"}

TEAM_ROLE_LABELS = {
    TeamRole.OWNER: "Account owner",
    TeamRole.EXECUTIVE_SPONSOR: "Executive sponsor",
    TeamRole.SALES: "Sales",
    TeamRole.TECHNICAL: "Technical",
    TeamRole.SERVICE: "Service",
    TeamRole.OTHER: "Other",
}

ROLE_LABELS = {
    StakeholderRole.ECONOMIC_BUYER: "Economic buyer",
    StakeholderRole.DECISION_MAKER: "Decision maker",
    StakeholderRole.INFLUENCER: "Influencer",
    StakeholderRole.CHAMPION: "Champion",
    StakeholderRole.USER: "User",
    StakeholderRole.GATEKEEPER: "Gatekeeper",
    StakeholderRole.COACH: "Coach",
    StakeholderRole.OTHER: "Other",
}

KIND_LABELS = {
    TouchpointKind.MEETING: "Meeting",
    TouchpointKind.CALL: "Call",
    TouchpointKind.EMAIL: "Email",
    TouchpointKind.QBR: "QBR",
    TouchpointKind.EXECUTIVE_VISIT: "Executive visit",
    TouchpointKind.EVENT: "Event",
    TouchpointKind.OTHER: "Other",
}

# What people type after /touchpoint, mapped to the kind.
KIND_WORDS = {
    **{kind.value: kind for kind in TouchpointKind},
    "visit": TouchpointKind.EXECUTIVE_VISIT,
    "exec": TouchpointKind.EXECUTIVE_VISIT,
    "mail": TouchpointKind.EMAIL,
    "phone": TouchpointKind.CALL,
}

SENTIMENT_LABELS = {
    Sentiment.POSITIVE: "Positive",
    Sentiment.NEUTRAL: "Neutral",
    Sentiment.NEGATIVE: "Negative",
}
SENTIMENT_EMOJI = {
    Sentiment.POSITIVE: ":large_green_circle:",
    Sentiment.NEUTRAL: ":white_circle:",
    Sentiment.NEGATIVE: ":red_circle:",
}

ATTITUDE_OPTIONS = [
    (value, f"{value:+d} {label}" if value else f"0 {label}")
    for value, label in sorted(ATTITUDE_LABELS.items(), reverse=True)
]
