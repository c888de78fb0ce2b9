"""Block, action and callback ids shared by the builders and the listeners that read them."""

from enum import StrEnum


class ActionButton(StrEnum):
    """Buttons on every action message; the button's value is the action's id."""

    DONE = "action_done"
    SNOOZE = "action_snooze"
    CHANGE_DUE = "action_change_due"
    REASSIGN = "action_reassign"
    EDIT = "action_edit"
    MORE = "action_more"  # the overflow menu: in progress, blocked, cancel, reopen


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
    ACTION_EDIT = "action_edit"
    ACTION_BLOCKED = "action_blocked"
    ACTION_CANCEL = "action_cancel"
    STAKEHOLDER_EDIT = "stakeholder_edit"
    ACCOUNT_EDIT = "account_edit"
    OBJECTIVE = "objective"


class Button(StrEnum):
    ADD_DETAILS = "touchpoint_add_details"
    ADD_STAKEHOLDER = "touchpoint_add_stakeholder"
    CREATE_LINKED_ACCOUNT = "account_create_for_channel"
    TEAM_ADD = "team_add_member"
    TEAM_ROLE = "team_member_role"
    TEAM_REMOVE = "team_member_remove"
    POST_REPORT = "report_post_to_channel"
    STAKEHOLDER_EDIT = "stakeholder_edit"
    OBJECTIVE_NEW = "objective_new"
    OBJECTIVE_EDIT = "objective_edit"
    OBJECTIVE_STATUS = "objective_status"
    HISTORY_PAGE = "history_page"
    PORTFOLIO_TIER = "portfolio_set_tier"
