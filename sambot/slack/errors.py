"""Nothing a user does ends in silence: every listener runs inside `reported`.

A DomainError is the user's to fix and is shown as is. Anything else is our bug: the user
gets a short ephemeral message with a reference code, and the log gets the traceback with
the same code.
"""

import inspect
import logging
import secrets

from slack_bolt.kwargs_injection.args import Args
from slack_sdk.errors import SlackApiError

from sambot.audit import context as audit
from sambot.slack.forms import errors_for_view
from sambot.validation import DomainError, InvalidInput

logger = logging.getLogger("sambot.slack")


def reference_code() -> str:
    return secrets.token_hex(3).upper()


def reported(listener):
    """Wrap a listener so its failures reach the user (see module docstring)."""
    names = list(inspect.signature(listener).parameters)

    def run(args: Args):
        kwargs = {name: getattr(args, name, None) or args.context.get(name) for name in names}
        # Set here, on the thread that runs the listener after its ack: every write it
        # makes is audited as this user's, from this kind of request.
        acting = audit.of_slack_payload(args.body or {}, args.context.user_id)
        with audit.acting(acting.source, acting.actor, acting.detail):
            try:
                return listener(**kwargs)
            except Exception as exc:
                _report(exc, args)

    # Bolt hands a listener that takes `args` every argument it has; the names stay the
    # listener's own for Bolt's logs (no __wrapped__, or Bolt would read its signature).
    run.__name__ = run.__qualname__ = listener.__name__
    run.__doc__ = listener.__doc__
    return run


def field_label(field: str) -> str:
    """due_date -> "Due date", owner_id -> "Owner"."""
    return field.removesuffix("_id").replace("_", " ").capitalize()


def user_message(exc: Exception) -> str:
    if isinstance(exc, InvalidInput):
        # Outside a modal there is no field to show the error under: name it.
        return ":warning: " + " ".join(
            f"{field_label(field)}: {message}" for field, message in exc.errors.items()
        )
    if isinstance(exc, DomainError):
        return f":warning: {exc}"
    code = reference_code()
    detail = f" ({exc.response.get('error')})" if isinstance(exc, SlackApiError) else ""
    logger.exception("[ref %s] unexpected error%s", code, detail, exc_info=exc)
    return (
        f":x: Sorry, something went wrong on our side. Nothing was lost on your side; "
        f"please try again. If it keeps happening, give this reference to your admin: `{code}`."
    )


def _report(exc: Exception, args: Args) -> None:
    text = user_message(exc)
    body = args.body or {}
    ack = args.ack
    if ack is not None and ack.response is None:
        view = body.get("view") if body.get("type") == "view_submission" else None
        if view is not None:
            # Keep the modal open, with the message under an input: nothing typed is lost.
            errors = exc.errors if isinstance(exc, InvalidInput) else {"__all__": text}
            ack(response_action="errors", errors=errors_for_view(view, errors))
            return
        ack()
    _tell_user(args, body, text)


def _tell_user(args: Args, body: dict, text: str) -> None:
    user_id = (body.get("user") or {}).get("id") or body.get("user_id")
    channel_id = (body.get("channel") or {}).get("id") or body.get("channel_id")
    can_respond = bool(body.get("response_url") or body.get("response_urls"))
    try:
        tell_user(args.client, args.respond, user_id, channel_id, can_respond, text)
    except Exception:
        logger.exception("could not tell %s about an error", user_id)


def tell_user(client, respond, user_id, channel_id, can_respond: bool, text: str) -> None:
    """Answer one user alone: through the response_url, else ephemerally in the channel,
    else in a direct message."""
    if can_respond:
        respond(text=text, response_type="ephemeral", replace_original=False)
    elif channel_id and user_id:
        client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
    elif user_id:
        client.chat_postMessage(channel=user_id, text=text)
