"""Every model, imported once so the metadata (and Alembic) sees all tables."""

from sambot.accounts.models import Account, TeamMember
from sambot.actions.models import Action
from sambot.db import Base
from sambot.deliveries.models import Delivery
from sambot.installs.models import BOTS, INSTALLATIONS, OAUTH_STATES
from sambot.jobs.models import JobRun
from sambot.plans.models import Objective
from sambot.slack.kept_messages import KeptMessage
from sambot.stakeholders.models import Stakeholder
from sambot.touchpoints.models import Touchpoint, touchpoint_stakeholders
from sambot.workspaces.models import Workspace

__all__ = [
    "BOTS",
    "INSTALLATIONS",
    "OAUTH_STATES",
    "Account",
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
