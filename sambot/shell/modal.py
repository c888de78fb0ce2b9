"""Filling a modal at the terminal: one prompt per input block, then the real submission.

Enter keeps what is shown in brackets (the input's initial value, or the previous answer),
`-` clears an optional input, `:cancel` closes the modal, and `:press a` at any prompt
presses the modal's button [a] (the app may push a form of its own, filled the same way,
after which the modal is taken up again as the app left it). What the Slack client itself
checks (required inputs, a number in a number input, a real date, an offered option) is
checked here; everything else is the app's to check, and its `response_action: errors`
answer is shown under each field, which alone is asked again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sambot.dates import parse_date
from sambot.localslack.requests import element_state, values_for
from sambot.shell.render import Renderer
from sambot.slack.text import format_date

# What an answer can be besides a value.
KEEP = object()  # leave the input as it is shown
CLEAR = object()  # empty an optional input that has a value
CANCEL = object()  # close the modal


class Host(Protocol):
    """What filling a modal needs from the session."""

    renderer: Renderer

    def ask(self, prompt: str) -> str | None: ...  # None at end of input

    def leaves(self, line: str) -> bool: ...  # the line is a command that ends the session

    def say(self, line: str = "") -> None: ...

    def today(self) -> date: ...

    def known_users(self) -> dict[str, str]: ...  # id -> handle

    def known_channels(self) -> dict[str, str]: ...  # id -> name

    def dispatch(
        self, view: dict, values: dict, block_id: str, action_id: str, selected: Any
    ) -> dict | None: ...  # the view if the app updated it

    def submit(self, view: dict, values: dict) -> dict: ...  # the app's JSON answer

    def close(self, view: dict) -> None: ...

    def press(
        self, view: dict, values: dict, block_id: str, action_id: str
    ) -> dict | None: ...  # the modal as the app left it (after any view it pushed); None: leave


@dataclass(frozen=True)
class Press:
    """A button of the modal, pressed with `:press a` at one of its prompts."""

    block_id: str
    action_id: str


class Invalid(ValueError):
    """An answer the Slack client itself would not accept; the message says why."""


class Outcome:
    """How filling a modal ended."""

    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    LEAVE = "left"  # end of input, or :quit


def inputs(view: dict) -> list[dict]:
    return [block for block in view.get("blocks", []) if block.get("type") == "input"]


def state_values(view: dict, answers: dict[str, Any]) -> dict:
    """`view.state.values` for the answers so far; unanswered inputs keep what they show."""
    ids = {block.get("block_id") for block in inputs(view)}
    given = {
        key: value
        for key, value in answers.items()
        if key in ids and value is not KEEP and value is not CLEAR
    }
    values = values_for(view, given)
    for block in inputs(view):
        if answers.get(block["block_id"]) is CLEAR:
            element = block["element"]
            empty = {key: value for key, value in element.items() if not key.startswith("initial_")}
            values[block["block_id"]] = {element["action_id"]: element_state(empty)}
    return values


def fill_modal(view: dict, host: Host) -> str:
    """Ask for every input, submit, and ask again what the app rejected; an Outcome value."""
    style = host.renderer.style
    title = host.renderer.text_object(view.get("title"))
    keys = "Enter keeps [what is shown] · - clears an optional field · :cancel closes"
    if buttons(view):
        keys += " · :press a presses button [a]"
    host.say(style.bold(f"┌─ {title}") + style.dim(f"   ({keys})"))
    answers: dict[str, Any] = {}
    pending = [block["block_id"] for block in inputs(view)]
    show_other_blocks = True
    while True:
        for block in _walk(view, pending, show_other_blocks):
            if block.get("type") != "input":
                _show(block, view, host)
                continue
            answer = _ask(block, answers.get(block["block_id"], KEEP), host, view=view)
            if answer is None:
                host.close(view)
                host.say(style.dim("└─ (modal cancelled)"))
                return Outcome.LEAVE
            if answer is CANCEL:
                host.close(view)
                host.say(style.dim("└─ (modal cancelled)"))
                return Outcome.CANCELLED
            if isinstance(answer, Press):
                latest = host.press(
                    view, state_values(view, answers), answer.block_id, answer.action_id
                )
                if latest is None:  # end of input inside a view the app pushed
                    host.close(view)
                    host.say(style.dim("└─ (modal cancelled)"))
                    return Outcome.LEAVE
                rest = pending[pending.index(block["block_id"]) :]
                if latest.get("hash") != view.get("hash"):
                    pending = _take_up(view, latest, answers, rest)
                    view, title = latest, host.renderer.text_object(latest.get("title"))
                else:
                    pending = rest
                break
            answers[block["block_id"]] = answer
            updated = _maybe_dispatch(view, block, answer, answers, host)
            if updated is not None:
                # The app redrew the modal (another account was chosen): go on from here.
                view = updated
                after = _ids_after(view, block["block_id"])
                pending[:] = [i for i in after if i not in answers]
                break
        else:
            submit = host.renderer.text_object(view.get("submit")) or "Submit"
            host.say(style.bold(f"└─ {submit}"))
            answer = host.submit(view, state_values(view, answers))
            action = answer.get("response_action")
            if action == "errors":
                pending = _show_errors(view, answer.get("errors") or {}, host)
                host.say(style.bold(f"┌─ {title}") + style.dim("   (fix what is shown)"))
                show_other_blocks = False
                continue
            if action in ("update", "push") and answer.get("view"):
                view = {**view, **answer["view"]}
                answers, show_other_blocks = {}, True
                pending = [block["block_id"] for block in inputs(view)]
                title = host.renderer.text_object(view.get("title"))
                host.say(style.bold(f"┌─ {title}"))
                continue
            return Outcome.SUBMITTED


def buttons(view: dict) -> dict[str, Press]:
    """The modal's buttons (in actions blocks and beside sections), lettered a, b, c..."""
    found = []
    for block in view.get("blocks", []):
        if block.get("type") == "actions":
            elements = block.get("elements") or []
        elif block.get("type") == "section":
            elements = [block.get("accessory") or {}]
        else:
            continue
        found += [
            Press(block.get("block_id", ""), element["action_id"])
            for element in elements
            if element.get("type") == "button" and element.get("action_id")
        ]
    return {chr(ord("a") + n): press for n, press in enumerate(found[:26])}


def _take_up(old: dict, new: dict, answers: dict[str, Any], rest: list[str]) -> list[str]:
    """Back on a modal the app updated: keep the answers to inputs whose block and action
    ids are unchanged (as Slack keeps what was typed there), drop the others; the inputs to
    ask: those still to ask, and those the app added or changed."""
    before = {block["block_id"]: block for block in inputs(old)}
    after = {block["block_id"]: block for block in inputs(new)}
    for block_id in list(answers):
        kept = after.get(block_id)
        was = before.get(block_id, kept)
        same = kept and was and _same_element(was["element"], kept["element"])
        if not (same and _offered(kept["element"], answers[block_id])):
            del answers[block_id]
    changed = {block_id for block_id, block in after.items() if before.get(block_id) != block}
    return [block_id for block_id in after if block_id in rest or block_id in changed]


def _same_element(old: dict, new: dict) -> bool:
    return old.get("action_id") == new.get("action_id") and old.get("type") == new.get("type")


def _offered(element: dict, answer: Any) -> bool:
    """Whether a kept answer is still among the options the element offers (if it has any)."""
    if (
        answer is KEEP
        or answer is CLEAR
        or not (element.get("options") or element.get("option_groups"))
    ):
        return True
    offered = {option["value"] for option in _options(element)}
    return all(value in offered for value in (answer if isinstance(answer, list) else [answer]))


def _walk(view: dict, pending: list[str], show_other_blocks: bool):
    """The blocks to go through: the pending inputs, and the other blocks among them."""
    first = min(
        (i for i, b in enumerate(view["blocks"]) if b.get("block_id") in pending),
        default=len(view["blocks"]),
    )
    for block in view["blocks"][first:]:
        if block.get("type") == "input":
            if block.get("block_id") in pending:
                yield block
        elif show_other_blocks:
            yield block


def _ids_after(view: dict, block_id: str) -> list[str]:
    ids = [block["block_id"] for block in inputs(view)]
    return ids[ids.index(block_id) + 1 :] if block_id in ids else ids


def _show(block: dict, view: dict, host: Host) -> None:
    """A block other than an input; its buttons lettered for `:press`."""
    letters = {(press.block_id, press.action_id): key for key, press in buttons(view).items()}

    def letter(element: dict, block_id: str | None) -> str:
        return letters.get((block_id or "", element.get("action_id", "")), "·")

    if block.get("type") == "actions":
        # Only its buttons can be pressed here; other elements are left out.
        pressable = [e for e in block.get("elements") or [] if e.get("type") == "button"]
        if not pressable:
            return
        line = "  ".join(
            host.renderer.element(e, letter(e, block.get("block_id"))) for e in pressable
        )
        first = letter(pressable[0], block.get("block_id"))
        host.say(f"│ {line}" + host.renderer.style.dim(f"   (:press {first} at any prompt)"))
        return
    for line in host.renderer.block(block, letter):
        host.say(f"│ {line}")


def _maybe_dispatch(view: dict, block: dict, answer: Any, answers: dict, host: Host):
    """Inputs with dispatch_action send a block action when their value changes, as Slack does."""
    if not block.get("dispatch_action") or answer is KEEP:
        return None
    element = block["element"]
    initial = element_state(element).get(_state_key(element))
    if _same(initial, answer):
        return None
    values = state_values(view, answers)
    return host.dispatch(view, values, block["block_id"], element["action_id"], answer)


def _state_key(element: dict) -> str:
    return next(key for key in element_state(element) if key != "type")


def _same(initial: Any, answer: Any) -> bool:
    if isinstance(initial, dict):
        return initial.get("value") == answer
    return initial == answer


def _show_errors(view: dict, errors: dict[str, str], host: Host) -> list[str]:
    """Each error under its field's name; the inputs to ask again."""
    labels = {
        block["block_id"]: host.renderer.text_object(block.get("label")) for block in inputs(view)
    }
    for block_id, message in errors.items():
        host.say(host.renderer.style.error(f"  ! {labels.get(block_id, block_id)}: {message}"))
    wrong = [block_id for block_id in labels if block_id in errors]
    return wrong or list(labels)


# -- one input ----------------------------------------------------------------------------


def ask_element(element: dict, host: Host, label: str = "Choose"):
    """Ask for one element's value outside a modal (a menu in a message); see `_ask`."""
    block = {
        "type": "input",
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": True,  # Enter chooses nothing
    }
    return _ask(block, KEEP, host, say_optional=False)


def _ask(
    block: dict,
    current: Any,
    host: Host,
    *,
    say_optional: bool = True,
    view: dict | None = None,
):
    """Ask until the answer is acceptable: a value, KEEP, CLEAR, CANCEL, None at EOF, or
    a Press of one of the buttons of `view` (the modal being filled)."""
    element, renderer = block["element"], host.renderer
    label = renderer.text_object(block.get("label"))
    optional = bool(block.get("optional"))
    choices = _choices(element, host)
    if block.get("hint"):
        host.say(renderer.style.dim(f"│ {renderer.text_object(block['hint'])}"))
    if choices:
        listed = "  ".join(f"{n}) {text}" for n, (_, text) in enumerate(choices, 1))
        host.say(f"│ {listed}")
    shown = _display(element, current, host) if current is not KEEP else _initial(element, host)
    prompt = label + (" (optional)" if optional and say_optional else "")
    prompt += _format_hint(element) + (f" [{_short(shown)}]" if shown else "") + ": "
    while True:
        text = host.ask("│ " + prompt)
        if text is None:
            return None
        text = text.strip()
        if text == ":cancel":
            return CANCEL
        if host.leaves(text):
            return None  # as at end of input: close the modal, then leave
        if view is not None and text.split()[:1] == [":press"]:
            pressed = _pressed(view, text.removeprefix(":press").strip(), host)
            if pressed is not None:
                return pressed
            continue
        if text.startswith(":"):
            host.say(renderer.style.error("│ ! Finish this form first, or :cancel it."))
            continue
        if not text:
            if shown:
                return current
            if optional:
                return KEEP
            host.say(renderer.style.error("│ ! This field is required."))
            continue
        if text == "-":
            if optional:
                return CLEAR
            host.say(renderer.style.error("│ ! This field is required."))
            continue
        try:
            return _parse(element, text, choices, host)
        except Invalid as exc:
            host.say(renderer.style.error(f"│ ! {exc}"))


def _pressed(view: dict, key: str, host: Host) -> Press | None:
    offered = buttons(view)
    if key.lower() in offered:
        return offered[key.lower()]
    if offered:
        listed = ", ".join(f":press {letter}" for letter in offered)
        host.say(host.renderer.style.error(f"│ ! This form's buttons: {listed}."))
    else:
        host.say(host.renderer.style.error("│ ! This form has no button to press."))
    return None


def _options(element: dict) -> list[dict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return options


def _choices(element: dict, host: Host) -> list[tuple[str, str]]:
    """(value, text) of the options a select, checkbox or radio input offers."""
    return [
        (option["value"], host.renderer.text_object(option.get("text")))
        for option in _options(element)
    ]


def _format_hint(element: dict) -> str:
    kind = element.get("type")
    if kind == "datepicker":
        return " (a date: 2026-12-05, tomorrow, next friday, the 5th)"
    if kind in ("users_select", "multi_users_select"):
        return " (@name" + (", @name" if kind.startswith("multi") else "") + ")"
    if kind in ("conversations_select", "channels_select"):
        return " (#channel)"
    if kind in ("multi_static_select", "checkboxes"):
        return " (numbers, comma-separated)"
    return ""


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _initial(element: dict, host: Host) -> str:
    """The input's initial value as the prompt shows it in brackets."""
    state = element_state(element)
    return _display(element, state.get(_state_key(element)), host)


def _display(element: dict, value: Any, host: Host) -> str:
    if value is None or value is CLEAR or value == [] or value is KEEP:
        return ""
    values = value if isinstance(value, list) else [value]
    texts = dict(_choices(element, host))
    users, channels = host.known_users(), host.known_channels()
    shown = []
    for item in values:
        if isinstance(item, dict):  # an option object
            item = item.get("value")
        if item in texts:
            shown.append(texts[item])
        elif "users" in element["type"]:
            shown.append("@" + users.get(item, item))
        elif "conversation" in element["type"] or "channel" in element["type"]:
            shown.append("#" + channels.get(item, item))
        else:
            shown.append(str(item))
    return ", ".join(shown)


def _parse(element: dict, text: str, choices: list[tuple[str, str]], host: Host) -> Any:
    kind = element.get("type")
    parsers: dict[str, Callable[[], Any]] = {
        "static_select": lambda: _pick(text, choices),
        "radio_buttons": lambda: _pick(text, choices),
        "overflow": lambda: _pick(text, choices),
        "multi_static_select": lambda: _pick_many(text, choices),
        "checkboxes": lambda: _pick_many(text, choices),
        "datepicker": lambda: _date(text, host),
        "number_input": lambda: _number(element, text),
        "users_select": lambda: _user(text, host),
        "multi_users_select": lambda: [_user(part, host) for part in _split(text)],
        "conversations_select": lambda: _channel(text, host),
        "channels_select": lambda: _channel(text, host),
        "plain_text_input": lambda: _text(element, text),
    }
    return parsers.get(kind, lambda: text)()


def _pick(text: str, choices: list[tuple[str, str]]) -> str:
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1][0]
    lowered = text.lower()
    exact = [value for value, label in choices if lowered in (label.lower(), value.lower())]
    if exact:
        return exact[0]
    prefixed = [value for value, label in choices if label.lower().startswith(lowered)]
    if len(prefixed) == 1:
        return prefixed[0]
    raise Invalid(f"Choose a number from 1 to {len(choices)}, or type the option's name.")


def _pick_many(text: str, choices: list[tuple[str, str]]) -> list[str]:
    if len(choices) == 1 and text.lower() in ("y", "yes", "n", "no"):
        return [choices[0][0]] if text.lower().startswith("y") else []
    return [_pick(part, choices) for part in _split(text)]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _date(text: str, host: Host) -> str:
    day = parse_date(text, today=host.today())
    if day is None:
        raise Invalid("Type a date such as 2026-12-05, tomorrow, next friday or the 5th.")
    if text.strip() != day.isoformat():
        host.say(host.renderer.style.dim(f"│   = {format_date(day)}"))
    return day.isoformat()


def _number(element: dict, text: str) -> str:
    try:
        number = float(text) if element.get("is_decimal_allowed") else int(text)
    except ValueError:
        raise Invalid(
            "Enter a number." if element.get("is_decimal_allowed") else "Enter a whole number."
        ) from None
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < float(low):
        raise Invalid(f"Enter a number of at least {low}.")
    if high is not None and number > float(high):
        raise Invalid(f"Enter a number of at most {high}.")
    return text


def _text(element: dict, text: str) -> str:
    if element.get("multiline"):
        text = text.replace("\\n", "\n")  # one line at the terminal; \n starts a new one
    if element.get("max_length") and len(text) > element["max_length"]:
        raise Invalid(f"At most {element['max_length']} characters.")
    if element.get("min_length") and len(text) < element["min_length"]:
        raise Invalid(f"At least {element['min_length']} characters.")
    return text


def _user(text: str, host: Host) -> str:
    wanted = text.strip().lstrip("@").lower()
    for user_id, name in host.known_users().items():
        if wanted in (name.lower(), user_id.lower()):
            return user_id
    known = ", ".join("@" + name for name in host.known_users().values())
    raise Invalid(f"No user @{wanted}. Users: {known}.")


def _channel(text: str, host: Host) -> str:
    wanted = text.strip().lstrip("#").lower()
    for channel_id, name in host.known_channels().items():
        if wanted in (name.lower(), channel_id.lower()):
            return channel_id
    known = ", ".join("#" + name for name in host.known_channels().values())
    raise Invalid(f"No channel #{wanted}. Channels: {known}.")
