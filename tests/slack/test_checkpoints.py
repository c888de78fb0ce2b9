"""Alignment checkpoints end to end: asked by DM, answered with buttons (a second press
changes the answer), one reminder, results in the account's channel, late answers refused."""

import json
from datetime import UTC, datetime, time

from sqlalchemy import delete, select

from sambot.accounts import service as accounts
from sambot.checkpoints.models import CheckpointAnswer, CheckpointRound
from sambot.dates import today_in
from sambot.deliveries.models import Delivery
from sambot.jobs.runner import JobOptions, run_job
from sambot.localslack.requests import values_for
from sambot.slack.client import build_web_client
from tests.slack import seed
from tests.slack.conftest import ACME_CHANNEL, DANA, LEE, OWEN


def acme_with_team(db) -> int:
    account_id = seed.acme(db)
    with db.session() as session:
        workspace_id = session.get(accounts.Account, account_id).workspace_id
        for user, role in ((LEE, "sales"), (OWEN, "technical")):
            accounts.set_team_member(
                session,
                workspace_id=workspace_id,
                account_id=account_id,
                data={"user_id": user, "role": role},
            )
    return account_id


def run_checkpoints(slack, db, day):
    client = build_web_client(slack.standin.bot_token, slack.standin.base_url)
    at = datetime.combine(day, time(9), tzinfo=UTC)
    [summary] = run_job("checkpoints", db, client, at=at, options=JobOptions())
    return summary


def dm(slack, user: str, contains: str) -> dict:
    return slack.channel_message(f"D{user}", contains)


def blocks_of(args: dict) -> list[dict]:
    blocks = args["blocks"]
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def press(slack, message: dict, action_id: str, user: str):
    element = next(
        e
        for b in message["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    response = slack.requests.block_action(
        user, action_id, value=element["value"], message=message, channel_id=f"D{user}"
    )
    assert response.status_code == 200


def current(slack, user: str, ts: str) -> dict:
    slack.in_flight.settle()
    return next(m for m in slack.standin.messages(f"D{user}") if m["ts"] == ts)


def chosen(message: dict, question: str) -> list[str]:
    block = next(b for b in message["blocks"] if b.get("block_id") == f"checkpoint_{question}")
    return [e["text"]["text"] for e in block["elements"] if e.get("style") == "primary"]


def has_buttons(message: dict) -> bool:
    return any(b["type"] == "actions" for b in message["blocks"])


def the_round(db) -> CheckpointRound:
    with db.session() as session:
        return session.scalar(select(CheckpointRound))


def test_a_checkpoint_round_end_to_end(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint")
    slack.channel_message(ACME_CHANNEL, "started an alignment checkpoint")
    questions = {
        user: dm(slack, user, "Alignment checkpoint for Acme") for user in (DANA, LEE, OWEN)
    }
    checkpoint = the_round(db)
    assert (
        checkpoint.remind_on > checkpoint.started_on and checkpoint.closes_on > checkpoint.remind_on
    )

    # Lee answers, changes his mind on the first question, and comments.
    lee = questions[LEE]
    press(slack, lee, "checkpoint_information_4", LEE)
    slack.wait("chat.update", lambda c: c.args["ts"] == lee["ts"])
    assert chosen(current(slack, LEE, lee["ts"]), "information") == ["4"]
    press(slack, lee, "checkpoint_information_2", LEE)
    slack.wait("chat.update", lambda c: "Shared information 2" in json.dumps(c.args))
    press(slack, lee, "checkpoint_roles_5", LEE)
    slack.wait("chat.update", lambda c: "Roles 5" in json.dumps(c.args))
    press(slack, lee, "checkpoint_coordination_3", LEE)
    slack.wait("chat.update", lambda c: "your answers are in" in json.dumps(c.args))
    shown = current(slack, LEE, lee["ts"])
    assert chosen(shown, "information") == ["2"] and chosen(shown, "roles") == ["5"]
    press(slack, shown, "checkpoint_comment", LEE)
    form = slack.opened_view("checkpoint_comment_form")
    slack.requests.view_submission(
        form, values_for(form, {"comment": "Pricing news reaches sales late"}), LEE
    )
    slack.wait("chat.update", lambda c: "Pricing news reaches sales late" in json.dumps(c.args))
    with db.session() as session:
        answers = {a.user_id: a for a in session.scalars(select(CheckpointAnswer))}
    assert (answers[LEE].information, answers[LEE].roles, answers[LEE].coordination) == (2, 5, 3)
    assert answers[DANA].information is None and len(answers) == 3

    # Owen gives one score only: he still counts as not having answered.
    press(slack, questions[OWEN], "checkpoint_roles_1", OWEN)
    slack.wait("chat.update", lambda c: "Roles 1" in json.dumps(c.args))

    # The day before the reminder, nothing; then one reminder each to Dana and Owen, once.
    before = run_checkpoints(slack, db, checkpoint.started_on)
    assert before.posted == []
    summary = run_checkpoints(slack, db, checkpoint.remind_on)
    assert sorted(summary.posted) == [
        "<@UDANA> (checkpoint reminder for Acme)",
        "<@UOWEN> (checkpoint reminder for Acme)",
    ]
    reminder = dm(slack, OWEN, "Reminder")
    assert chosen(reminder, "roles") == ["1"], "the reminder shows what was already pressed"
    assert not [m for m in slack.standin.messages(f"D{LEE}") if "Reminder" in m["text"]]
    again = run_checkpoints(slack, db, checkpoint.remind_on)
    assert again.posted == []

    # The round closes: results in the channel, comments without names.
    closing = run_checkpoints(slack, db, checkpoint.closes_on)
    assert closing.posted == ["Acme (<#CACME>)"]
    results = slack.channel_message(ACME_CHANNEL, "2 of 3 people answered")
    text = json.dumps(results["blocks"], ensure_ascii=False)
    assert "Pricing news reaches sales late" in text and "ULEE" not in text
    assert "*2.0* / 5" in text  # shared information: Lee's 2 only
    assert "*3.0* / 5 · from 1 to 5" in text  # roles: Lee 5, Owen 1
    assert the_round(db).closed_at is not None
    # The questions and the reminders sent lose their buttons, and show each one's answers.
    for user, message in (*questions.items(), (OWEN, reminder)):
        assert not has_buttons(current(slack, user, message["ts"])), user
    assert "Your answers: Shared information 2 · Roles 5" in json.dumps(
        current(slack, LEE, lee["ts"])["blocks"], ensure_ascii=False
    )
    assert run_checkpoints(slack, db, checkpoint.closes_on).posted == []

    # A late answer is refused politely, and changes nothing.
    press(slack, questions[DANA], "checkpoint_information_5", DANA)
    slack.ephemeral(DANA, "this checkpoint closed")
    slack.wait(
        "chat.update", lambda c: "closed" in json.dumps(c.args) and c.args["channel"] == "DUDANA"
    )
    with db.session() as session:
        dana = session.scalar(select(CheckpointAnswer).where(CheckpointAnswer.user_id == DANA))
    assert dana.information is None


def test_one_round_at_a_time_and_the_owner_closes_it(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint")
    dm(slack, LEE, "Alignment checkpoint")
    slack.command("/sam", "checkpoint", user=LEE)
    slack.ephemeral(LEE, "A checkpoint is open until")
    slack.command("/sam", "checkpoint close", user=OWEN)
    slack.ephemeral(OWEN, "Only the account owner")
    slack.command("/sam", "checkpoint close")
    slack.channel_message(ACME_CHANNEL, "0 of 3 people answered")
    assert the_round(db).closed_at is not None


def test_closing_a_round_takes_the_buttons_off_its_questions(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint")
    questions = {user: dm(slack, user, "Alignment checkpoint") for user in (DANA, LEE, OWEN)}
    assert all(has_buttons(message) for message in questions.values())
    press(slack, questions[LEE], "checkpoint_roles_4", LEE)
    slack.wait("chat.update", lambda c: "Roles 4" in json.dumps(c.args))
    slack.command("/sam", "checkpoint close")
    slack.channel_message(ACME_CHANNEL, "1 of 3 people answered")
    for user, message in questions.items():
        slack.wait(
            "chat.update",
            lambda c, ts=message["ts"]: c.args["ts"] == ts and "closed" in json.dumps(c.args),
        )
        shown = current(slack, user, message["ts"])
        assert not has_buttons(shown) and "closed" in json.dumps(shown["blocks"]), user
    assert "Roles 4" in json.dumps(current(slack, LEE, questions[LEE]["ts"])["blocks"])


def test_the_monthly_report_shows_the_latest_round_and_its_trend(slack, db):
    acme_with_team(db)
    for scores in ((2, 3), (4, 5)):
        slack.command("/sam", "checkpoint")
        lee = dm(slack, LEE, "Alignment checkpoint")
        for (question, label), score in zip(
            (("information", "Shared information"), ("roles", "Roles")), scores, strict=True
        ):
            press(slack, lee, f"checkpoint_{question}_{score}", LEE)
            slack.wait("chat.update", lambda c, seen=f"{label} {score}": seen in json.dumps(c.args))
        slack.command("/sam", "checkpoint close")
        slack.channel_message(ACME_CHANNEL, "1 of 3 people answered")
        slack.standin.reset()  # the next round's messages only
    # The month still running, where the rounds were (a report covers rounds closed by its end).
    slack.command("/sam", f"report {today_in('Europe/Paris'):%Y-%m}")
    report = json.dumps(slack.ephemeral(DANA, "Alignment")["blocks"], ensure_ascii=False)
    assert "shared information 4.0, roles 5.0" in report
    assert "Overall trend: 2.5 → 4.5." in report


def test_a_comment_after_the_round_closed_stays_in_the_form(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint")
    lee = dm(slack, LEE, "Alignment checkpoint")
    press(slack, lee, "checkpoint_comment", LEE)
    form = slack.opened_view("checkpoint_comment_form")
    slack.command("/sam", "checkpoint close")
    slack.channel_message(ACME_CHANNEL, "people answered")
    response = slack.requests.view_submission(form, values_for(form, {"comment": "Too late"}), LEE)
    assert "checkpoint closed" in response.json()["errors"]["comment"]
    with db.session() as session:
        assert (
            session.scalar(select(CheckpointAnswer.comment).where(CheckpointAnswer.user_id == LEE))
            is None
        )


def test_a_monthly_schedule_starts_one_round_a_month(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint monthly on")
    slack.ephemeral(DANA, "asked every month")
    day = datetime(2027, 1, 4).date()  # a Monday
    summary = run_checkpoints(slack, db, day)
    assert len(summary.posted) == 3
    dm(slack, OWEN, "Alignment checkpoint for Acme")
    assert run_checkpoints(slack, db, day).posted == []
    with db.session() as session:
        rounds = list(session.scalars(select(CheckpointRound)))
    assert len(rounds) == 1 and rounds[0].started_by == "schedule"
    slack.command("/sam", "checkpoint monthly off")
    slack.ephemeral(DANA, "No more monthly checkpoints")


def where_sent(db) -> dict[str, tuple]:
    """Each person's answer: (channel, question ts, reminder ts)."""
    with db.session() as session:
        return {
            a.user_id: (a.channel_id, a.question_ts, a.reminder_ts)
            for a in session.scalars(select(CheckpointAnswer))
        }


def forget_checkpoint_deliveries(db) -> None:
    """The questions' and reminders' delivery records gone: closing does not need them."""
    with db.session() as session:
        session.execute(delete(Delivery).where(Delivery.job_kind == "checkpoints"))


def test_each_answer_keeps_where_its_question_and_reminder_went(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint")
    questions = {user: dm(slack, user, "Alignment checkpoint") for user in (DANA, LEE, OWEN)}
    # Lee answers all three, one press after the other's redraw: he gets no reminder.
    for question, label in (
        ("information", "Shared information"),
        ("roles", "Roles"),
        ("coordination", "Coordinated actions"),
    ):
        press(slack, questions[LEE], f"checkpoint_{question}_4", LEE)
        slack.wait("chat.update", lambda c, seen=f"{label} 4": seen in json.dumps(c.args))
    checkpoint = the_round(db)
    assert where_sent(db) == {
        user: (f"D{user}", message["ts"], None) for user, message in questions.items()
    }

    run_checkpoints(slack, db, checkpoint.remind_on)
    reminders = {user: dm(slack, user, "Reminder") for user in (DANA, OWEN)}
    sent = where_sent(db)
    assert sent[DANA] == (f"D{DANA}", questions[DANA]["ts"], reminders[DANA]["ts"])
    assert sent[OWEN] == (f"D{OWEN}", questions[OWEN]["ts"], reminders[OWEN]["ts"])
    assert sent[LEE] == (f"D{LEE}", questions[LEE]["ts"], None), "Lee had answered: no reminder"

    forget_checkpoint_deliveries(db)
    slack.command("/sam", "checkpoint close")
    slack.channel_message(ACME_CHANNEL, "1 of 3 people answered")
    sent_messages = [*questions.items(), *reminders.items()]
    for user, message in sent_messages:
        slack.wait(
            "chat.update",
            lambda c, ts=message["ts"]: c.args["ts"] == ts and "closed" in json.dumps(c.args),
        )
        assert not has_buttons(current(slack, user, message["ts"])), user


def test_a_monthly_round_closes_the_questions_the_job_sent(slack, db):
    acme_with_team(db)
    slack.command("/sam", "checkpoint monthly on")
    slack.ephemeral(DANA, "asked every month")
    day = datetime(2027, 1, 4).date()  # a Monday
    assert len(run_checkpoints(slack, db, day).posted) == 3
    questions = {user: dm(slack, user, "Alignment checkpoint") for user in (DANA, LEE, OWEN)}
    assert where_sent(db) == {
        user: (f"D{user}", message["ts"], None) for user, message in questions.items()
    }

    forget_checkpoint_deliveries(db)
    closing = run_checkpoints(slack, db, the_round(db).closes_on)
    assert closing.posted == ["Acme (<#CACME>)"]
    for user, message in questions.items():
        shown = current(slack, user, message["ts"])
        assert not has_buttons(shown) and "closed" in json.dumps(shown["blocks"]), user
