"""Block Kit as plain dicts: one small function per kind of block, element or text object.

slack_sdk's models check Slack's limits as they serialise, at about a millisecond a modal:
too dear on every request. Here nothing is checked; the tests check every view and
message the app sends against Slack's limits (the local stand-in, `sambot.localslack`,
and `tests/unit/test_blocks.py` through slack_sdk's models). Arguments left None are left
out, as Slack wants.
"""

from typing import Any, NamedTuple


class Message(NamedTuple):
    """What chat.postMessage and respond take: the plain-text fallback and the blocks."""

    text: str
    blocks: list[dict]


def _with(required: dict, /, **optional: Any) -> dict:
    """`required`, then those of `optional` that are not None. Built key by key: a dict
    comprehension over every keyword argument cost a third of a long message's blocks."""
    for key, value in optional.items():
        if value is not None:
            required[key] = value
    return required


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def option(label: str, value: Any) -> dict:
    return {"text": plain(label), "value": str(value)}


# Blocks


def section(
    text: str | None = None,
    *,
    block_id: str | None = None,
    accessory: dict | None = None,
    fields: list[str] | None = None,
) -> dict:
    return _with(
        {"type": "section"},
        block_id=block_id,
        text=mrkdwn(text) if text is not None else None,
        fields=[mrkdwn(field) for field in fields] if fields else None,
        accessory=accessory,
    )


def context(*texts: str, block_id: str | None = None) -> dict:
    return _with({"type": "context"}, block_id=block_id, elements=[mrkdwn(t) for t in texts])


def actions(*elements: dict, block_id: str | None = None) -> dict:
    return _with({"type": "actions"}, block_id=block_id, elements=list(elements))


def pager(page: Any, *, last: int, total: int, action_id: str, block_id: str) -> list[dict]:
    """Previous / Next under a paged list: `page` is its typed ref (with a `page` number),
    `last` the number of the last row shown. No block when everything fits on one page."""
    buttons = []
    if page.page > 0:
        earlier = page.model_copy(update={"page": page.page - 1})
        buttons.append(button("Previous", f"{action_id}_previous", value=earlier.encode()))
    if last < total:
        later = page.model_copy(update={"page": page.page + 1})
        buttons.append(button("Next", f"{action_id}_next", value=later.encode()))
    return [actions(*buttons, block_id=block_id)] if buttons else []


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text)}


def input_block(
    block_id: str,
    label: str,
    element: dict,
    *,
    optional: bool = False,
    hint: str | None = None,
    dispatch_action: bool = False,
) -> dict:
    return _with(
        {"type": "input", "block_id": block_id, "label": plain(label), "element": element},
        optional=optional,
        hint=plain(hint) if hint else None,
        dispatch_action=dispatch_action or None,
    )


# Elements


def button(
    text: str, action_id: str, *, value: str | None = None, style: str | None = None
) -> dict:
    return _with(
        {"type": "button", "text": plain(text), "action_id": action_id}, value=value, style=style
    )


def static_select(
    action_id: str,
    options: list[dict],
    *,
    placeholder: str | None = None,
    initial_option: dict | None = None,
) -> dict:
    return _with(
        {"type": "static_select", "action_id": action_id},
        placeholder=plain(placeholder) if placeholder else None,
        options=options,
        initial_option=initial_option,
    )


def element(kind: str, action_id: str, *, placeholder: str | None = None, **fields: Any) -> dict:
    """Any other element: its type, action id, placeholder and fields as Slack names them."""
    return _with(
        {"type": kind, "action_id": action_id},
        placeholder=plain(placeholder) if placeholder else None,
        **fields,
    )


# Surfaces


def modal(
    callback_id: str | None,
    title: str,
    blocks: list[dict],
    *,
    submit: str | None = None,
    close: str = "Cancel",
    private_metadata: str = "",
) -> dict:
    return _with(
        {"type": "modal"},
        callback_id=callback_id,
        title=plain(title),
        submit=plain(submit) if submit else None,
        close=plain(close),
        blocks=blocks,
        private_metadata=private_metadata or None,
    )
