"""The checkpoint's rules that need no Slack: working days, and the results' figures."""

from datetime import date

from sambot.checkpoints.models import CheckpointAnswer, CheckpointRound
from sambot.checkpoints.service import add_working_days, results
from sambot.slack.checkpoint_render import results_message, trend_arrow


def test_working_days_skip_the_weekend():
    friday = date(2026, 12, 4)
    assert add_working_days(friday, 2) == date(2026, 12, 8)  # Tuesday
    assert add_working_days(date(2026, 12, 7), 5) == date(2026, 12, 14)  # Monday to Monday
    assert add_working_days(date(2026, 12, 5), 1) == date(2026, 12, 7)  # Saturday to Monday


def a_round(*answers) -> CheckpointRound:
    return CheckpointRound(
        id=7,
        account_id=1,
        started_on=date(2026, 12, 1),
        closes_on=date(2026, 12, 8),
        answers=[
            CheckpointAnswer(user_id=f"U{n}", information=i, roles=r, coordination=c, comment=t)
            for n, (i, r, c, t) in enumerate(answers)
        ],
    )


def test_results_average_spread_count_and_nameless_comments():
    found = results(a_round((5, 4, None, "Zeta"), (3, 4, 2, "Alpha"), (None, None, None, None)))
    info, roles, coordination = found.questions
    assert (info.average, info.lowest, info.highest, info.stdev, info.count) == (4.0, 3, 5, 1.0, 2)
    assert (roles.average, roles.stdev) == (4.0, 0.0)
    assert (coordination.average, coordination.count) == (2.0, 1)
    assert (found.asked, found.responded) == (3, 2)
    assert found.comments == ("Alpha", "Zeta")  # sorted: the order says nothing of who
    assert found.overall == 3.3
    text = str(results_message(found, "Acme").blocks)
    assert "U0" not in text and "U1" not in text


def test_trend_arrows():
    assert trend_arrow(4.0, 3.5) == " (+0.5 :arrow_up:)"
    assert trend_arrow(3.0, 3.5) == " (-0.5 :arrow_down:)"
    assert trend_arrow(3.0, 3.0) == " (=)"
    assert trend_arrow(3.0, None) == ""
