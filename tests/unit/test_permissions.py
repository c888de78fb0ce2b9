"""The edit policy's one decision, and who sees a private account, as a table."""

import pytest

from sambot.accounts.permissions import (
    EditPolicy,
    may_change,
    may_see,
    policy_named,
    who_may_change,
)

OWNER, MEMBER, OUTSIDER = "UOWNER", "UMEMBER", "UOUTSIDER"
TEAM = {OWNER, MEMBER}


@pytest.mark.parametrize(
    ("policy", "user", "is_admin", "private", "allowed"),
    [
        (EditPolicy.OPEN, OUTSIDER, False, False, True),
        (EditPolicy.OPEN, OUTSIDER, False, True, False),  # private: its team's alone
        (EditPolicy.OPEN, MEMBER, False, True, True),
        (EditPolicy.TEAM, OWNER, False, False, True),
        (EditPolicy.TEAM, MEMBER, False, False, True),
        (EditPolicy.TEAM, OUTSIDER, False, False, False),
        (EditPolicy.TEAM, OUTSIDER, True, False, True),
        (EditPolicy.OWNER, OWNER, False, False, True),
        (EditPolicy.OWNER, MEMBER, False, False, False),
        (EditPolicy.OWNER, MEMBER, False, True, False),
        (EditPolicy.OWNER, OUTSIDER, True, True, True),
    ],
)
def test_may_change(policy, user, is_admin, private, allowed):
    decided = may_change(
        policy, user_id=user, owner_id=OWNER, team=TEAM, is_admin=is_admin, private=private
    )
    assert decided is allowed


def test_an_actions_owner_is_allowed_whatever_the_policy():
    assert (
        may_change(EditPolicy.OWNER, user_id=OUTSIDER, owner_id=OWNER, team=TEAM, is_admin=False)
        is False
    )
    assert may_change(
        EditPolicy.OWNER,
        user_id=OUTSIDER,
        owner_id=OWNER,
        team=TEAM,
        is_admin=False,
        also={OUTSIDER},
    )


def test_may_see():
    assert may_see(private=False, user_id=OUTSIDER, team=TEAM, is_admin=False)
    assert not may_see(private=True, user_id=OUTSIDER, team=TEAM, is_admin=False)
    assert may_see(private=True, user_id=MEMBER, team=TEAM, is_admin=False)
    assert may_see(private=True, user_id=OUTSIDER, team=TEAM, is_admin=True)


def test_policy_words_and_refusal_names():
    assert policy_named("OWNER") is EditPolicy.OWNER
    assert policy_named(None) is EditPolicy.TEAM
    assert policy_named("nonsense") is EditPolicy.TEAM
    assert who_may_change(EditPolicy.TEAM, "Acme") == "Acme's account team or a workspace admin"
    assert who_may_change(EditPolicy.OWNER, "Acme") == "Acme's owner or a workspace admin"
