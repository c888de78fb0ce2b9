"""Reading modals: the submitted values flattened to {block_id: value} (private metadata
is read by `sambot.slack.refs`).

Every input in sambot's modals has the action id "value" and a block id named after the
domain field it fills, so the domain's field errors map straight back to their blocks.
"""

from typing import Any

from sambot.validation import storable

VALUE = "value"


def element_value(element: dict[str, Any]) -> Any:
    kind = element.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        option = element.get("selected_option")
        return option["value"] if option else None
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        return [option["value"] for option in element.get("selected_options") or []]
    if kind == "datepicker":
        return element.get("selected_date")
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "multi_users_select":
        return element.get("selected_users") or []
    if kind == "conversations_select":
        return element.get("selected_conversation")
    if kind == "channels_select":
        return element.get("selected_channel")
    value = element.get("value")
    return storable(value) if isinstance(value, str) else value


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block_id, elements in view.get("state", {}).get("values", {}).items():
        for element in elements.values():
            values[block_id] = element_value(element)
    return values


def errors_for_view(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Domain field errors placed under the modal's inputs.

    An error for a field the modal does not show goes under the first input, so it is
    still seen and the user's input is still kept.
    """
    input_ids = [block["block_id"] for block in view.get("blocks", []) if block["type"] == "input"]
    placed: dict[str, str] = {}
    for field, message in errors.items():
        target = field if field in input_ids else (input_ids[0] if input_ids else field)
        placed[target] = f"{placed[target]} {message}" if target in placed else message
    return placed
