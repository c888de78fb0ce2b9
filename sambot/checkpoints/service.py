"""Alignment checkpoints: start a round, take answers, remind, close, and sum up.

A round asks every member of the account team three questions scored 1 to 5. A reminder
goes after two working days to those who have not answered all three; the round closes
after five working days (or when the owner closes it), and answers after that are refused.
"""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from sambot.accounts.models import Account
from sambot.audit import recorder as audit
from sambot.checkpoints.models import (
    COMMENT_MAX_LENGTH,
    CheckpointAnswer,
    CheckpointRound,
    CheckpointSchedule,
    Question,
)
from sambot.db import utcnow
from sambot.validation import DomainError, NotFound

REMIND_AFTER_WORKING_DAYS = 2
OPEN_FOR_WORKING_DAYS = 5
SCHEDULED = "schedule"  # started_by of a round the monthly schedule started


class RoundClosed(DomainError):
    def __init__(self, closes_on: date):
        super().__init__(
            f"Thanks, but this checkpoint closed on {closes_on:%a %d %b}: answers are no longer "
            "taken. The results are in the account's channel."
        )


def add_working_days(day: date, count: int) -> date:
    """`count` weekdays after `day` (Saturday and Sunday skipped)."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def open_round(db: Session, *, account_id: int) -> CheckpointRound | None:
    return db.scalar(
        select(CheckpointRound)
        .where(CheckpointRound.account_id == account_id, CheckpointRound.closed_at.is_(None))
        .order_by(CheckpointRound.id.desc())
        .limit(1)
    )


def start(
    db: Session, *, workspace_id: int, account: Account, started_by: str, today: date
) -> CheckpointRound:
    """A new round asking the account team; one open round per account at a time."""
    if open_round(db, account_id=account.id) is not None:
        raise DomainError("A checkpoint is already open for this account.")
    members = sorted({member.user_id for member in account.team} | {account.owner_id})
    checkpoint = CheckpointRound(
        workspace_id=workspace_id,
        account_id=account.id,
        started_by=started_by,
        started_on=today,
        remind_on=add_working_days(today, REMIND_AFTER_WORKING_DAYS),
        closes_on=add_working_days(today, OPEN_FOR_WORKING_DAYS),
        answers=[CheckpointAnswer(user_id=user_id) for user_id in members],
    )
    db.add(checkpoint)
    db.flush()
    return checkpoint


def get_round(db: Session, *, workspace_id: int, round_id: int) -> CheckpointRound:
    found = db.get(CheckpointRound, round_id)
    if found is None or found.workspace_id != workspace_id:
        raise NotFound("That checkpoint no longer exists.")
    return found


def _answer_of(db: Session, checkpoint: CheckpointRound, user_id: str) -> CheckpointAnswer:
    answer = db.scalar(
        select(CheckpointAnswer).where(
            CheckpointAnswer.round_id == checkpoint.id, CheckpointAnswer.user_id == user_id
        )
    )
    if answer is None:
        raise DomainError("This checkpoint was sent to the account team; you were not asked.")
    return answer


def _writable(db: Session, *, workspace_id: int, round_id: int, user_id: str):
    # Locked, so an answer and the round's closing never interleave.
    checkpoint = db.scalar(
        select(CheckpointRound)
        .where(CheckpointRound.id == round_id, CheckpointRound.workspace_id == workspace_id)
        .with_for_update()
    )
    if checkpoint is None:
        raise NotFound("That checkpoint no longer exists.")
    if not checkpoint.is_open:
        raise RoundClosed(checkpoint.closes_on)
    return checkpoint, _answer_of(db, checkpoint, user_id)


def answer(
    db: Session,
    *,
    workspace_id: int,
    round_id: int,
    user_id: str,
    question: Question,
    score: int,
) -> CheckpointAnswer:
    """One score; pressing another changes it (one answer per person per round)."""
    if not 1 <= score <= 5:
        raise DomainError("Scores go from 1 to 5.")
    _, found = _writable(db, workspace_id=workspace_id, round_id=round_id, user_id=user_id)
    setattr(found, question.value, score)
    found.answered_at = utcnow()
    db.flush()
    return found


def comment(
    db: Session, *, workspace_id: int, round_id: int, user_id: str, text: str
) -> CheckpointAnswer:
    _, found = _writable(db, workspace_id=workspace_id, round_id=round_id, user_id=user_id)
    text = text.strip()[:COMMENT_MAX_LENGTH]
    found.comment = text or None
    found.answered_at = utcnow()
    db.flush()
    return found


def record_sent(
    db: Session, *, round_id: int, user_id: str, channel_id: str, ts: str, reminder: bool = False
) -> None:
    """Where a person's question (or reminder) of the round went."""
    where = {"channel_id": channel_id, "reminder_ts" if reminder else "question_ts": ts}
    db.execute(
        update(CheckpointAnswer)
        .where(CheckpointAnswer.round_id == round_id, CheckpointAnswer.user_id == user_id)
        .values(**where)
    )


def sent_messages(checkpoint: CheckpointRound) -> list[tuple[CheckpointAnswer, str, str]]:
    """(answer, channel id, ts) of each question and reminder sent in the round."""
    return [
        (answer, answer.channel_id, ts)
        for answer in checkpoint.answers
        for ts in (answer.question_ts, answer.reminder_ts)
        if answer.channel_id and ts
    ]


def close(db: Session, *, round_id: int) -> bool:
    """Close the round; True for the one caller that closed it (and so posts the results)."""
    now = utcnow()
    closed = db.execute(
        update(CheckpointRound)
        .where(CheckpointRound.id == round_id, CheckpointRound.closed_at.is_(None))
        .values(closed_at=now)
    ).rowcount
    db.flush()
    if closed:
        # A conditional UPDATE (one closer wins) skips the unit of work: audited here.
        checkpoint = db.get(CheckpointRound, round_id)
        audit.record(
            db,
            workspace_id=checkpoint.workspace_id,
            account_id=checkpoint.account_id,
            entity="checkpoint",
            entity_id=round_id,
            label=f"of {checkpoint.started_on}",
            operation=audit.UPDATED,
            changes=[("closed_at", None, now)],
        )
    return bool(closed)


def not_answered(checkpoint: CheckpointRound) -> list[str]:
    return [answer.user_id for answer in checkpoint.answers if not answer.complete]


def rounds_to_remind(db: Session, *, workspace_id: int, today: date, account_id=None):
    query = (
        select(CheckpointRound)
        .options(selectinload(CheckpointRound.answers))
        .where(
            CheckpointRound.workspace_id == workspace_id,
            CheckpointRound.closed_at.is_(None),
            CheckpointRound.remind_on <= today,
            CheckpointRound.closes_on > today,
        )
        .order_by(CheckpointRound.id)
    )
    if account_id is not None:
        query = query.where(CheckpointRound.account_id == account_id)
    return list(db.scalars(query))


def rounds_to_close(db: Session, *, workspace_id: int, today: date, account_id=None):
    query = select(CheckpointRound.id).where(
        CheckpointRound.workspace_id == workspace_id,
        CheckpointRound.closed_at.is_(None),
        CheckpointRound.closes_on <= today,
    )
    if account_id is not None:
        query = query.where(CheckpointRound.account_id == account_id)
    return list(db.scalars(query.order_by(CheckpointRound.id)))


# Monthly schedule -----------------------------------------------------------------------


def set_monthly(db: Session, *, workspace_id: int, account_id: int, on: bool, set_by: str) -> None:
    removed = db.execute(
        delete(CheckpointSchedule).where(CheckpointSchedule.account_id == account_id)
    ).rowcount
    if removed and not on:
        # A bulk delete skips the unit of work: audited here (turning it on is an insert).
        audit.record(
            db,
            workspace_id=workspace_id,
            account_id=account_id,
            entity="checkpoint schedule",
            entity_id=account_id,
            operation=audit.DELETED,
            changes=[],
        )
    if on:
        db.add(CheckpointSchedule(account_id=account_id, workspace_id=workspace_id, set_by=set_by))
    db.flush()


def is_monthly(db: Session, *, account_id: int) -> bool:
    return db.get(CheckpointSchedule, account_id) is not None


def accounts_due_monthly(db: Session, *, workspace_id: int, today: date, account_id=None):
    """Scheduled accounts with no round started this month and none open: ask them now."""
    month_start = today.replace(day=1)
    started_this_month = select(CheckpointRound.account_id).where(
        (CheckpointRound.started_on >= month_start) | CheckpointRound.closed_at.is_(None)
    )
    query = (
        select(Account)
        .join(CheckpointSchedule, CheckpointSchedule.account_id == Account.id)
        .options(selectinload(Account.team))
        .where(
            Account.workspace_id == workspace_id,
            Account.archived.is_(False),
            Account.id.not_in(started_this_month),
        )
        .order_by(Account.id)
    )
    if account_id is not None:
        query = query.where(Account.id == account_id)
    return list(db.scalars(query))


# Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    average: float | None
    lowest: int | None
    highest: int | None
    stdev: float | None  # the spread: 0 when everyone agrees
    count: int


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    account_id: int
    started_on: date
    closes_on: date
    asked: int
    responded: int
    questions: tuple[QuestionResult, ...]
    comments: tuple[str, ...]  # without names, in an order that says nothing of who wrote

    @property
    def overall(self) -> float | None:
        averages = [q.average for q in self.questions if q.average is not None]
        return round(sum(averages) / len(averages), 1) if averages else None


def results(checkpoint: CheckpointRound) -> RoundResults:
    answers = checkpoint.answers
    per_question = []
    for question in Question:
        scores = [a.score(question) for a in answers if a.score(question) is not None]
        per_question.append(
            QuestionResult(
                question=question,
                average=round(statistics.fmean(scores), 1) if scores else None,
                lowest=min(scores) if scores else None,
                highest=max(scores) if scores else None,
                stdev=round(statistics.pstdev(scores), 1) if scores else None,
                count=len(scores),
            )
        )
    responded = sum(1 for a in answers if any(a.score(q) is not None for q in Question))
    return RoundResults(
        round_id=checkpoint.id,
        account_id=checkpoint.account_id,
        started_on=checkpoint.started_on,
        closes_on=checkpoint.closes_on,
        asked=len(answers),
        responded=responded,
        questions=tuple(per_question),
        comments=tuple(sorted(a.comment for a in answers if a.comment)),
    )


def latest_results(
    db: Session, *, account_ids: Sequence[int], before: date, rounds: int = 3
) -> dict[int, list[RoundResults]]:
    """Each account's last closed rounds started before `before`, newest first (the trend)."""
    found = db.scalars(
        select(CheckpointRound)
        .options(selectinload(CheckpointRound.answers))
        .where(
            CheckpointRound.account_id.in_(account_ids),
            CheckpointRound.closed_at.is_not(None),
            CheckpointRound.started_on < before,
        )
        .order_by(
            CheckpointRound.account_id,
            CheckpointRound.started_on.desc(),
            CheckpointRound.id.desc(),
        )
    )
    per_account: dict[int, list[RoundResults]] = {}
    for checkpoint in found:
        kept = per_account.setdefault(checkpoint.account_id, [])
        if len(kept) < rounds:
            kept.append(results(checkpoint))
    return per_account


def answered_count(db: Session, *, round_id: int) -> int:
    return db.scalar(
        select(func.count())
        .select_from(CheckpointAnswer)
        .where(CheckpointAnswer.round_id == round_id, CheckpointAnswer.answered_at.is_not(None))
    )
