"""Who acts and from where, for every write of the current request, job or command.

Set once where work enters sambot (a Slack listener, a job's run in a workspace, the CLI,
an import) and read by the recorder at each flush, so services never pass it along.
"""

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from sambot.validation import storable


class Source(StrEnum):
    COMMAND = "command"
    MODAL = "modal"
    BUTTON = "button"
    SHORTCUT = "shortcut"
    EVENT = "event"
    JOB = "job"
    CLI = "cli"
    IMPORT = "import"
    SYSTEM = "system"  # none of the above set a context (a bug, or a test's direct call)


@dataclass(frozen=True)
class Acting:
    source: Source
    actor: str | None = None  # a Slack user id; None when sambot itself acts
    detail: str | None = None  # the command typed, the form, the job's name...


SYSTEM = Acting(Source.SYSTEM)
_current: contextvars.ContextVar[Acting] = contextvars.ContextVar("audit_acting", default=SYSTEM)


def current() -> Acting:
    return _current.get()


@contextmanager
def acting(source: Source, actor: str | None = None, detail: str | None = None) -> Iterator[Acting]:
    """Within the block, writes are recorded as made by `actor` from `source`."""
    detail = storable(detail)[:200] if detail else None
    value = Acting(Source(source), actor, detail or None)
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


def of_slack_payload(body: dict, user_id: str | None) -> Acting:
    """Where a Slack request comes from, read from its payload."""
    kind = body.get("type")
    if body.get("command"):
        text = " ".join(str(body.get("text") or "").split())
        detail = f"{body['command']} {text}".strip()
        return Acting(Source.COMMAND, user_id, detail[:200])
    if kind in ("view_submission", "view_closed"):
        return Acting(Source.MODAL, user_id, (body.get("view") or {}).get("callback_id"))
    if kind in ("block_actions", "interactive_message"):
        actions = body.get("actions") or [{}]
        return Acting(Source.BUTTON, user_id, actions[0].get("action_id"))
    if kind in ("shortcut", "message_action"):
        return Acting(Source.SHORTCUT, user_id, body.get("callback_id"))
    if kind == "event_callback" or "event" in body:
        event = body.get("event") or {}
        return Acting(Source.EVENT, user_id, event.get("type"))
    return Acting(Source.SYSTEM, user_id, kind)
