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
    PLAN_FIELDS = "plan_fields"
    PLAN_ITEM = "plan_item"


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
    CHANGES_PAGE = "changes_page"
    PLAN_OPEN = "plan_open"
    # One per section (`plan_edit_profile`…): a block's buttons need distinct action ids.
    PLAN_EDIT = "plan_edit"
    PLAN_ITEM = "plan_item_menu"
    PLAN_ADD = "plan_item_add"
    PLAN_MORE = "plan_more"
    PLAN_POST = "plan_post_to_channel"
    PORTFOLIO_TIER = "portfolio_set_tier"


class RelationshipButton(StrEnum):
    """The cadence reminder's buttons; the value is a CadenceRef."""

    LOG_TOUCHPOINT = "cadence_log_touchpoint"
    SNOOZE = "cadence_snooze"


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


class ProgrammeButton(StrEnum):
    NEXT = "programme_next"
    FIRST = "programme_first"


class SettingsButton(StrEnum):
    """`/sam settings`: one button per edit policy, `settings_policy_<policy>`."""

    POLICY_PREFIX = "settings_policy_"
