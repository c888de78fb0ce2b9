"""How the plan's sections, fields and choices read, in Slack and in the exports alike."""

from sambot.accountplan.models import Factor, Impact, Position, Section, Stage

SECTION_TITLES = {
    Section.PROFILE: "Customer profile and needs",
    Section.VALUE: "Value proposition",
    Section.STRATEGY: "Customer strategy map",
    Section.INDUSTRY: "Industry analysis",
    Section.COMPETITION: "Competitive assessment",
    Section.RELATIONSHIP: "Relationship history and expansion",
    Section.ACTIONS: "Objectives and actions",
}

# What a person types after `/sam plan` to open one section directly.
SECTION_WORDS = {
    "profile": Section.PROFILE,
    "needs": Section.PROFILE,
    "value": Section.VALUE,
    "strategy": Section.STRATEGY,
    "industry": Section.INDUSTRY,
    "competition": Section.COMPETITION,
    "competitors": Section.COMPETITION,
    "relationship": Section.RELATIONSHIP,
    "expansion": Section.RELATIONSHIP,
    "objectives": Section.ACTIONS,
    "actions": Section.ACTIONS,
}

FIELD_LABELS = {
    "business": "What the client does",
    "needs": "Their main needs",
    "buying_process": "How they buy: the process",
    "buying_cycle": "Buying cycle",
    "budget_timing": "Budget timing",
    "unique_value": "Our unique value for them",
    "proof_points": "Proof points",
    "client_objectives": "What they aim for",
    "challenges": "Their challenges",
    "culture": "Their culture and ways of working",
}

FACTOR_LABELS = {
    Factor.POLITICAL: "Political",
    Factor.ECONOMIC: "Economic",
    Factor.SOCIAL: "Social",
    Factor.TECHNOLOGICAL: "Technological",
    Factor.LEGAL: "Legal",
    Factor.ENVIRONMENTAL: "Environmental",
    Factor.MARKET_CONDITIONS: "Market conditions",
    Factor.SUPPLY_AND_DEMAND: "Supply and demand",
}

IMPACT_LABELS = {
    Impact.UP: "Up: helps the client",
    Impact.DOWN: "Down: hurts the client",
    Impact.NEUTRAL: "Neutral",
}
IMPACT_ARROWS = {Impact.UP: "↑", Impact.DOWN: "↓", Impact.NEUTRAL: "→"}

POSITION_LABELS = {
    Position.PREFERRED: "We are preferred",
    Position.EQUAL: "Equal",
    Position.BEHIND: "We are behind",
    Position.UNKNOWN: "Unknown",
}

STAGE_LABELS = {
    Stage.IDEA: "Idea",
    Stage.QUALIFIED: "Qualified",
    Stage.PROPOSED: "Proposed",
    Stage.NEGOTIATING: "Negotiating",
    Stage.WON: "Won",
    Stage.LOST: "Lost",
}

# What one entry of each item section is called.
ITEM_NAMES = {
    Section.INDUSTRY: ("factor", "factors"),
    Section.COMPETITION: ("competitor", "competitors"),
    Section.RELATIONSHIP: ("expansion area", "expansion areas"),
}
