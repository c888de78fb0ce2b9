"""The Block Kit checker: each limit accepted at the limit and rejected one past it."""

from collections.abc import Callable
from typing import Any

import pytest

from sambot.localslack.blockkit import check_message, check_view, error_code


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def options(n: int, text: str = "o", value: str | None = None) -> list[dict[str, Any]]:
    return [{"text": plain(text), "value": value or f"v{i}"} for i in range(n)]


def select(n: int, **option: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "options": options(n, **option)}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def modal(*blocks: dict[str, Any], title: str = "Plan", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain(title), "blocks": list(blocks), **extra}


def plain_input(block_id: str = "b", **element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain("Name"),
        "element": {"type": "plain_text_input", "action_id": "a", **element},
    }


# (what, blocks for a size n, the limit, a fragment of the error)
MESSAGE_LIMITS: list[tuple[str, Callable[[int], list[dict[str, Any]]], int, str]] = [
    ("blocks", lambda n: [section() for _ in range(n)], 50, "blocks: must have at most 50"),
    ("section text", lambda n: [section("x" * n)], 3000, "blocks[0].text.text"),
    (
        "field",
        lambda n: [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * n}]}],
        2000,
        "blocks[0].fields[0].text",
    ),
    (
        "fields",
        lambda n: [{"type": "section", "fields": [plain("f")] * n}],
        10,
        "blocks[0].fields: must have at most 10",
    ),
    ("header", lambda n: [{"type": "header", "text": plain("x" * n)}], 150, "blocks[0].text"),
    (
        "button text",
        lambda n: [actions({"type": "button", "action_id": "b", "text": plain("x" * n)})],
        75,
        "elements[0].text.text",
    ),
    (
        "button value",
        lambda n: [
            actions({"type": "button", "action_id": "b", "text": plain("b"), "value": "x" * n})
        ],
        2000,
        "elements[0].value",
    ),
    ("action_id", lambda n: [actions({**select(1), "action_id": "x" * n})], 255, "action_id"),
    ("block_id", lambda n: [section(block_id="x" * n)], 255, "blocks[0].block_id"),
    ("select options", lambda n: [actions(select(n))], 100, "options: must have at most 100"),
    ("option text", lambda n: [actions(select(1, text="x" * n))], 75, "options[0].text.text"),
    ("option value", lambda n: [actions(select(1, value="x" * n))], 150, "options[0].value"),
    (
        "overflow options",
        lambda n: [actions({"type": "overflow", "action_id": "o", "options": options(n)})],
        5,
        "options: must have at most 5",
    ),
    (
        "context elements",
        lambda n: [{"type": "context", "elements": [plain("c")] * n}],
        10,
        "blocks[0].elements: must have at most 10",
    ),
    (
        "actions elements",
        lambda n: [
            actions(
                *[{"type": "button", "action_id": f"b{i}", "text": plain("b")} for i in range(n)]
            )
        ],
        25,
        "blocks[0].elements: must have at most 25",
    ),
]


@pytest.mark.parametrize(("what", "build", "limit", "fragment"), MESSAGE_LIMITS)
def test_message_limit(what: str, build: Callable, limit: int, fragment: str) -> None:
    assert check_message(build(limit), "fallback") == []
    errors = check_message(build(limit + 1), "fallback")
    assert len(errors) == 1, errors
    assert fragment in errors[0]
    assert error_code(errors, "invalid_blocks") == "invalid_blocks"


def test_message_text_limit_has_its_own_code() -> None:
    assert check_message(None, "x" * 40_000) == []
    errors = check_message(None, "x" * 40_001)
    assert errors and errors[0].startswith("text: msg_too_long")
    assert error_code(errors, "invalid_blocks") == "msg_too_long"


def test_combined_block_text_limit() -> None:
    assert check_message([section("x" * 3000)] * 4, "t") == []  # 12,000 exactly
    errors = check_message([section("x" * 3000)] * 4 + [section("x")], "t")
    assert error_code(errors, "invalid_blocks") == "msg_blocks_too_long"


def test_duplicate_block_ids_and_input_blocks_in_messages() -> None:
    errors = check_message([section(block_id="a"), section(block_id="a"), plain_input()], "t")
    assert any("duplicate block_id 'a'" in error for error in errors)
    assert any("input blocks are not allowed" in error for error in errors)


def test_malformed_blocks_are_reported() -> None:
    assert check_message("[not json", "t") == ["blocks: must be a list"]
    assert "unknown block type" in check_message([{"type": "sektion"}], "t")[0]
    assert "non-empty" in check_message([section("")], "t")[0]
    assert (
        "must be plain_text"
        in check_message([{"type": "header", "text": section()["text"]}], "t")[0]
    )


def test_view_limits() -> None:
    assert check_view(modal(*[section() for _ in range(100)])) == []
    assert "at most 100 blocks" in check_view(modal(*[section() for _ in range(101)]))[0]
    assert check_view(modal(title="x" * 24)) == []
    assert check_view(modal(title="x" * 25))[0].startswith("view.title.text")
    for key in ("submit", "close"):
        assert check_view(modal(**{key: plain("x" * 24)})) == []
        assert check_view(modal(**{key: plain("x" * 25)}))[0].startswith(f"view.{key}.text")
    assert check_view(modal(private_metadata="x" * 3000)) == []
    assert "private_metadata" in check_view(modal(private_metadata="x" * 3001))[0]
    assert check_view(modal(callback_id="x" * 256))[0].startswith("view.callback_id")


def test_view_inputs() -> None:
    submit = {"submit": plain("Save")}
    assert check_view(modal(plain_input(max_length=3000), **submit)) == []
    assert "max_length" in check_view(modal(plain_input(max_length=3001), **submit))[0]
    assert "required when the view has input blocks" in check_view(modal(plain_input()))[0]
    twice = check_view(modal(plain_input("x"), plain_input("x"), **submit))
    assert any("duplicate block_id" in error for error in twice)


def test_view_type_and_size() -> None:
    assert check_view({"type": "home", "blocks": [section()]}) == []
    assert check_view({"type": "dialog", "blocks": []}) == ["view.type: must be modal or home"]
    huge = modal(*[section("x" * 2900) for _ in range(90)])
    assert error_code(check_view(huge), "invalid_arguments") == "view_too_large"


def test_a_select_without_options_is_rejected():
    from sambot.localslack.blockkit import check_view

    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Pick"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [
            {
                "type": "input",
                "block_id": "account_id",
                "label": {"type": "plain_text", "text": "Account"},
                "element": {"type": "static_select", "action_id": "value"},
            }
        ],
    }
    assert any("needs at least one option" in error for error in check_view(view))
