"""Coverage: an account that meets every rule is green; accounts built to break each rule,
one at a time, are amber with that one reason and its fix; more failures make red."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from sambot.accounts.models import TeamRole
from sambot.relationships.cadence import Cadences, touches
from sambot.relationships.coverage import Check, Colour, coverage_of
from sambot.stakeholders.models import Stakeholder, StakeholderRole
from tests.jobs.builders import make_account, make_workspace
from tests.relationships.builders import met, person, team

TODAY = date(2026, 11, 20)
CADENCES = Cadences(key_decision_maker_days=30, default_days=60)
SPONSOR, SAM = "USPONSOR", "UOWNER"


def covered(db, account_id):
    with db.session() as s:
        return coverage_of(s, account_ids=[account_id], today=TODAY, cadences=CADENCES)[account_id]


def build(db, *, breaks: str | None = None) -> int:
    """A well-covered account, with one rule broken on request."""
    workspace_id = make_workspace(db, "UTC")
    account_id = make_account(db, workspace_id, "Acme", channel="CACME", owner=SAM)
    if breaks != "executive_sponsor":
        team(db, workspace_id, account_id, SPONSOR)
    decider = {
        "role": StakeholderRole.ECONOMIC_BUYER,
        "power": 5,
        "relationship_owner_id": SPONSOR,
    }
    if breaks == "executives_paired":
        decider["relationship_owner_id"] = SAM  # owned, but not by one of our executives
    people = []
    if breaks != "decision_maker":
        people.append(person(db, workspace_id, account_id, "Walter Boss", **decider))
    champion = {"role": StakeholderRole.CHAMPION, "power": 3, "attitude": 2}
    if breaks != "champion":
        people.append(person(db, workspace_id, account_id, "Chloe Champ", **champion))
    key = {"power": 4, "role": StakeholderRole.INFLUENCER, "relationship_owner_id": SAM}
    if breaks == "key_owned":
        key["relationship_owner_id"] = None
    key_id = person(db, workspace_id, account_id, "Kim Key", **key)
    met(db, workspace_id, account_id, TODAY - timedelta(days=10), *people)
    # A key influencer's cadence is 60 days: met 60 days ago is within it, 61 is past.
    days = 61 if breaks == "key_in_cadence" else 60
    met(db, workspace_id, account_id, TODAY - timedelta(days=days), key_id)
    return account_id


def test_an_account_meeting_every_rule_is_green(db):
    coverage = covered(db, build(db))
    assert coverage.colour == Colour.GREEN and coverage.reasons == []


@pytest.mark.parametrize(
    ("rule", "problem", "fix"),
    [
        ("executive_sponsor", "no executive sponsor on the account team", "/sam team"),
        (
            "decision_maker",
            "no economic buyer or decision maker mapped",
            "add them with `/sam stakeholder new`",
        ),
        ("champion", "no champion mapped", "add one with `/sam stakeholder new`"),
        (
            "key_owned",
            "key stakeholders with no relationship owner: Kim Key",
            "relationship owner in their stakeholder form",
        ),
        (
            "key_in_cadence",
            "key stakeholders past their touch cadence: Kim Key",
            "log it with `/touchpoint`",
        ),
        (
            "executives_paired",
            "client executives with no executive of ours paired: Walter Boss",
            "make an executive sponsor their relationship owner",
        ),
    ],
)
def test_each_rule_broken_alone_gives_amber_with_its_reason_and_fix(db, rule, problem, fix):
    coverage = covered(db, build(db, breaks=rule))
    [reason] = coverage.reasons
    assert coverage.colour == Colour.AMBER
    assert reason.check == Check(rule)
    assert reason.problem == problem and fix in reason.fix
    assert str(reason).startswith(problem + ": ")


def test_an_empty_account_is_red_and_says_what_to_do(db):
    workspace_id = make_workspace(db, "UTC")
    account_id = make_account(db, workspace_id, "Empty", channel=None)
    coverage = covered(db, account_id)
    assert coverage.colour == Colour.RED
    assert coverage.failing == {Check.EXECUTIVE_SPONSOR, Check.DECISION_MAKER, Check.CHAMPION}


def test_two_failures_are_still_amber_three_are_red(db):
    workspace_id = make_workspace(db, "UTC")
    account_id = make_account(db, workspace_id, "Acme", channel=None, owner=SAM)
    team(db, workspace_id, account_id, SPONSOR, TeamRole.EXECUTIVE_SPONSOR)
    buyer = person(
        db,
        workspace_id,
        account_id,
        "Walter Boss",
        role=StakeholderRole.DECISION_MAKER,
        power=5,
        relationship_owner_id=SPONSOR,
        attitude=2,
    )
    met(db, workspace_id, account_id, TODAY - timedelta(days=29), buyer)
    assert covered(db, account_id).colour == Colour.GREEN  # the decision maker champions us
    met(db, workspace_id, account_id, TODAY - timedelta(days=40), buyer)
    assert covered(db, account_id).colour == Colour.GREEN  # the latest touch counts
    person(db, workspace_id, account_id, "Unowned key", power=4)
    coverage = covered(db, account_id)
    assert coverage.failing == {Check.KEY_OWNED, Check.KEY_IN_CADENCE}
    assert coverage.colour == Colour.AMBER
    with db.session() as s:
        s.get(Stakeholder, buyer).attitude = 0
    assert covered(db, account_id).failing == {
        Check.KEY_OWNED,
        Check.KEY_IN_CADENCE,
        Check.CHAMPION,
    }
    assert covered(db, account_id).colour == Colour.RED


def test_a_long_list_of_names_is_cut(db):
    workspace_id = make_workspace(db, "UTC")
    account_id = make_account(db, workspace_id, "Acme", channel=None)
    for n in range(8):
        person(db, workspace_id, account_id, f"Key {n}", power=5)
    reason = next(r for r in covered(db, account_id).reasons if r.check == Check.KEY_OWNED)
    assert reason.problem.endswith("Key 4 and 3 more")


def test_someone_who_left_is_out_of_what_coverage_maps_and_reminders_read(db):
    account_id = build(db)
    with db.session() as s:
        walter = s.scalar(select(Stakeholder).where(Stakeholder.name == "Walter Boss"))
        walter.left_on = TODAY - timedelta(days=1)
    # The economic buyer left: none is mapped any more.
    assert covered(db, account_id).failing == {Check.DECISION_MAKER}
    with db.session() as s:
        people = touches(s, account_ids=[account_id], as_of=TODAY, cadences=CADENCES)
    assert [p.name for p in people[account_id]] == ["Kim Key", "Chloe Champ"]
