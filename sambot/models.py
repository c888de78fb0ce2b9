"""Every model, imported once so the metadata (and Alembic) sees all tables."""

from sambot.accounts.models import Account, TeamMember
from sambot.actions.models import Action
from sambot.db import Base
from sambot.deliveries.models import Delivery
from sambot.jobs.models import JobRun
from sambot.plans.models import Objective
from sambot.portfolio.models import AccountSnapshot
from sambot.slack.kept_messages import KeptMessage
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint, touchpoint_stakeholders
from sambot.workspaces.models import Workspace

__all__ = [
    "Account",
    "AccountSnapshot",
    "Action",
    "Base",
    "Delivery",
    "JobRun",
    "KeptMessage",
    "Objective",
    "Stakeholder",
    "TeamMember",
    "Touchpoint",
    "Workspace",
    "touchpoint_stakeholders",
]
