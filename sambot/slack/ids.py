"""Block, action and callback ids shared by the builders and the listeners that read them."""

from enum import StrEnum


class ActionButton(StrEnum):
    """Buttons on every action message; the button's value is the action's id."""

    DONE = "action_done"
    SNOOZE = "action_snooze"
    CHANGE_DUE = "action_change_due"
    REASSIGN = "action_reassign"


class Callback(StrEnum):
    ACCOUNT_NEW = "account_new"
    STAKEHOLDER_NEW = "stakeholder_new"
    STAKEHOLDER_NEW_PUSHED = "stakeholder_new_pushed"
    TOUCHPOINT = "touchpoint"
    ACTION = "action"
    CHANGE_DUE = "action_change_due"
    REASSIGN = "action_reassign"
    LOG_AS_TOUCHPOINT = "log_as_touchpoint"
    CREATE_ACTION = "create_action"


class Button(StrEnum):
    ADD_DETAILS = "touchpoint_add_details"
    ADD_STAKEHOLDER = "touchpoint_add_stakeholder"
    CREATE_LINKED_ACCOUNT = "account_create_for_channel"
    TEAM_ADD = "team_add_member"
    TEAM_ROLE = "team_member_role"
    TEAM_REMOVE = "team_member_remove"
    POST_REPORT = "report_post_to_channel"


class Checkpoint(StrEnum):
    """Checkpoint questions: score buttons are `checkpoint_<question>_<score>`."""

    SCORE_PREFIX = "checkpoint_"
    COMMENT = "checkpoint_comment"
    COMMENT_FORM = "checkpoint_comment_form"


class TeamOffer(StrEnum):
    """The owner's answer to "X joined / left the account's channel"."""

    ADD = "team_offer_add"  # a role menu: picking a role adds them with it
    REMOVE = "team_offer_remove"
    DISMISS = "team_offer_dismiss"


class HomeButton(StrEnum):
    LOG_TOUCHPOINT = "home_log_touchpoint"
    CREATE_ACTION = "home_create_action"
    OPEN_ACCOUNT = "home_open_account"
    ACCOUNT_PLAN = "home_account_plan"  # the modal it opens (read only)


class ProgrammeButton(StrEnum):
    NEXT = "programme_next"
    FIRST = "programme_first"
