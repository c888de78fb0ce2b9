"""Alignment checkpoints in Slack: the questions with their score buttons, and the results."""

from sambot.checkpoints.models import CheckpointAnswer, CheckpointRound, Question
from sambot.checkpoints.service import RoundResults
from sambot.slack import blocks as bk
from sambot.slack.blocks import Message
from sambot.slack.ids import Checkpoint
from sambot.slack.refs import CheckpointRef, CheckpointScoreRef
from sambot.slack.text import escape, format_date, plural, split_lines, truncate

QUESTIONS = {
    Question.INFORMATION: "Do we share the same information about the client?",
    Question.ROLES: "Does everyone know their role?",
    Question.COORDINATION: "Are our actions coordinated?",
}
SHORT = {
    Question.INFORMATION: "Shared information",
    Question.ROLES: "Roles",
    Question.COORDINATION: "Coordinated actions",
}
# Comments in the results message: enough to read, well under Slack's combined text cap.
COMMENTS_TEXT_BUDGET = 7000


def score_action_id(question: Question, score: int) -> str:
    return f"{Checkpoint.SCORE_PREFIX}{question.value}_{score}"


def _your_scores(answer: CheckpointAnswer) -> str:
    return " · ".join(f"{SHORT[q]} {answer.score(q) or '-'}" for q in Question)


def question_message(
    checkpoint: CheckpointRound,
    account_name: str,
    answer: CheckpointAnswer,
    *,
    reminder: bool = False,
) -> Message:
    """The three questions, each with buttons 1 to 5 (the chosen one highlighted)."""
    intro = (
        f":compass: *Alignment checkpoint for {escape(account_name)}*: three quick questions, "
        "from 1 (not at all) to 5 (fully). Press a score; press another to change it. "
        f"Open until {format_date(checkpoint.closes_on)}."
    )
    if reminder:
        intro = ":bell: *Reminder*: your team is waiting for your answers. " + intro
    blocks: list[dict] = [bk.section(intro)]
    for number, question in enumerate(Question, start=1):
        chosen = answer.score(question)
        blocks.append(bk.section(f"*{number}. {QUESTIONS[question]}*"))
        buttons = [
            bk.button(
                str(score),
                score_action_id(question, score),
                value=CheckpointScoreRef(
                    round_id=checkpoint.id, question=question.value, score=score
                ).encode(),
                style="primary" if score == chosen else None,
            )
            for score in range(1, 6)
        ]
        blocks.append(bk.actions(*buttons, block_id=f"checkpoint_{question.value}"))
    label = "Change your comment" if answer.comment else "Add a comment (optional)"
    blocks.append(
        bk.actions(
            bk.button(label, Checkpoint.COMMENT, value=CheckpointRef(id=checkpoint.id).encode()),
            block_id="checkpoint_comment",
        )
    )
    if answer.complete:
        status = ":white_check_mark: Thanks, your answers are in: " + _your_scores(answer)
    elif any(answer.score(q) for q in Question):
        status = "Your answers so far: " + _your_scores(answer)
    else:
        status = "Answers are shared with the team as averages; comments without names."
    if answer.comment:
        status += f" · comment: _{escape(truncate(answer.comment, 200))}_"
    blocks.append(bk.context(status))
    text = f"Alignment checkpoint for {account_name}: three quick questions"
    return Message(("Reminder: " if reminder else "") + text, blocks)


def closed_message(checkpoint: CheckpointRound, account_name: str, answer) -> Message:
    """The questions once the round is closed: the person's answers, no buttons."""
    mine = _your_scores(answer) if answer is not None else "none"
    text = (
        f":lock: The alignment checkpoint for *{escape(account_name)}* closed. "
        f"Your answers: {mine}. The results are in the account's channel."
    )
    return Message(f"The alignment checkpoint for {account_name} closed", [bk.section(text)])


def _spread(result) -> str:
    if result.average is None:
        return "no answers"
    spread = (
        "everyone agrees"
        if result.lowest == result.highest
        else f"from {result.lowest} to {result.highest}"
    )
    return (
        f"*{result.average:.1f}* / 5 · {spread} · spread {result.stdev:.1f} · "
        f"{plural(result.count, 'answer')}"
    )


def trend_arrow(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    change = round(now - before, 1)
    if change == 0:
        return " (=)"
    return f" ({'+' if change > 0 else ''}{change:.1f} {':arrow_up:' if change > 0 else ':arrow_down:'})"


def results_message(result: RoundResults, account_name: str, previous: RoundResults | None = None):
    head = (
        f":bar_chart: *Alignment checkpoint for {escape(account_name)}*: "
        f"{result.responded} of {plural(result.asked, 'person', 'people')} answered "
        f"(asked {format_date(result.started_on)})."
    )
    fields = []
    before = {q.question: q.average for q in previous.questions} if previous else {}
    for question in result.questions:
        arrow = trend_arrow(question.average, before.get(question.question))
        fields.append(f"*{SHORT[question.question]}*\n{_spread(question)}{arrow}")
    overall = result.overall
    fields.append(
        "*Overall*\n"
        + (f"*{overall:.1f}* / 5" if overall is not None else "no answers")
        + (trend_arrow(overall, previous.overall) if previous else "")
    )
    blocks = [bk.section(head), bk.section(fields=fields)]
    if result.comments:
        lines, used = [], 0
        for comment in result.comments:
            line = "> " + escape(comment).replace("\n", " ")
            if used + len(line) > COMMENTS_TEXT_BUDGET:
                lines.append(f"…and {len(result.comments) - len(lines)} more.")
                break
            lines.append(line)
            used += len(line)
        blocks.append(bk.section("*Comments* (without names)"))
        blocks += [bk.section(text) for text in split_lines(lines)]
    blocks.append(
        bk.context(
            "Scores from 1 (not at all) to 5 (fully). Spread: the standard deviation, "
            "0 when everyone gives the same score."
        )
    )
    return Message(f"Alignment checkpoint results for {account_name}", blocks)


def trend_line(rounds: list[RoundResults]) -> str:
    """`4.2 (+0.3) · 3.9 · 4.1`: the latest round's overall score first, then older ones."""
    if not rounds:
        return ""
    latest = rounds[0]
    text = (
        f"Latest alignment checkpoint ({format_date(latest.started_on)}, "
        f"{latest.responded} of {latest.asked} answered): "
        + ", ".join(
            f"{SHORT[q.question].lower()} {q.average:.1f}" if q.average is not None else "-"
            for q in latest.questions
        )
    )
    overall = [r.overall for r in rounds]
    trend = " → ".join(f"{value:.1f}" if value is not None else "-" for value in reversed(overall))
    return text + f". Overall trend: {trend}."
