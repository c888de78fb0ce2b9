"""Every model, imported once so the metadata (and Alembic) sees all tables."""

from sambot.accountplan.models import Competitor, ExpansionArea, IndustryFactor, PlanSection
from sambot.accounts.models import Account, TeamMember
from sambot.actions.models import Action
from sambot.audit.models import AuditEvent
from sambot.checkpoints.models import CheckpointAnswer, CheckpointRound, CheckpointSchedule
from sambot.db import Base, DataVersion
from sambot.deliveries.models import Delivery
from sambot.installs.models import BOTS, INSTALLATIONS, OAUTH_STATES
from sambot.jobs.models import JobRun
from sambot.plans.models import Objective
from sambot.portfolio.models import AccountSnapshot
from sambot.programme.models import ProgrammeChannel
from sambot.slack.kept_messages import KeptMessage
from sambot.slack.seen_events import SeenEvent
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint, touchpoint_stakeholders
from sambot.workspaces.models import Workspace

__all__ = [
    "BOTS",
    "INSTALLATIONS",
    "OAUTH_STATES",
    "Account",
    "AccountSnapshot",
    "Action",
    "AuditEvent",
    "Base",
    "CheckpointAnswer",
    "CheckpointRound",
    "CheckpointSchedule",
    "Competitor",
    "DataVersion",
    "Delivery",
    "ExpansionArea",
    "IndustryFactor",
    "JobRun",
    "KeptMessage",
    "Objective",
    "PlanSection",
    "ProgrammeChannel",
    "SeenEvent",
    "Stakeholder",
    "TeamMember",
    "Touchpoint",
    "Workspace",
    "touchpoint_stakeholders",
]
