"""Mutants mutmut cannot make, made by hand: templates, cached functions and properties.

mutmut mutates function bodies only, and skips decorated functions (the claim statements
under @cache, properties, pydantic validators); Jinja2 templates are not Python at all.
Each mutant below breaks one rule there. For each, this applies it to a copy of the
project, runs the tests named, and counts it killed when they fail. Run by `make mutation`.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("sambot", "tests", "migrations", "deploy", "pyproject.toml")

DELIVERIES = "sambot/jobs/deliveries.py"
TEMPLATES = "sambot/slack/templates/"
RENDER_TESTS = "tests/rules/test_report_render.py"
DELIVERY_TESTS = "tests/rules/test_deliveries.py"
# How an action reads: mutmut mutates neither module (models; Block Kit rendering).
ACTION_MODEL = "sambot/actions/models.py"
ACTION_BLOCKS = "sambot/slack/action_blocks.py"
ACTION_BLOCK_TESTS = "tests/rules/test_action_blocks.py"
# The transport of every call to Slack, the forms' kept reads, the work processes' upkeep:
# not mutmut's (its copies cannot start the stand-in's and work processes' spawned children).
CLIENT = "sambot/slack/client.py"
CLIENT_TESTS = "tests/slack/test_web_client.py"
READ_CACHE = "sambot/readcache.py"
READ_CACHE_TESTS = "tests/rules/test_read_cache.py"
WORKLOAD = "sambot/slack/workload.py"
WORK_SOCKET_TESTS = "tests/slack/test_work_socket.py"
# Dates as people type them: a small module, outside mutmut's list.
DATES = "sambot/dates.py"
DATES_TESTS = "tests/unit/test_domain.py"

PYTEST = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]

# (file, text, replacement, tests that must fail)
MUTANTS = [
    (
        DELIVERIES,
        "_insert_for(dialect, _table).on_conflict_do_nothing()",
        "_insert_for(dialect, _table)",
        DELIVERY_TESTS,
    ),
    (
        DELIVERIES,
        'same_key, _c.account_id == bindparam("account_id")',
        "same_key",
        DELIVERY_TESTS,
    ),
    (
        DELIVERIES,
        'same_key, _c.recipient_id == bindparam("recipient_id")',
        "same_key",
        DELIVERY_TESTS,
    ),
    (
        DELIVERIES,
        # A retake whatever the post's state: a claim still held (or posted) taken over.
        "or_(\n                _c.status == DeliveryStatus.FAILED,",
        "or_(\n                _c.id == _c.id,",
        DELIVERY_TESTS,
    ),
    (
        DELIVERIES,
        "status=DeliveryStatus.CLAIMED,\n            channel_id",
        "status=DeliveryStatus.FAILED,\n            channel_id",
        DELIVERY_TESTS,
    ),
    (DELIVERIES, "error=None,", "", DELIVERY_TESTS),
    (DELIVERIES, "status=DeliveryStatus.POSTED,", "status=DeliveryStatus.CLAIMED,", DELIVERY_TESTS),
    (
        DELIVERIES,
        ".values(status=DeliveryStatus.FAILED, error=",
        ".values(status=DeliveryStatus.CLAIMED, error=",
        DELIVERY_TESTS,
    ),
    (
        "sambot/reports/monthly.py",
        "return self.current - self.previous",
        "return self.previous - self.current",
        RENDER_TESTS,
    ),
    (
        "sambot/reports/monthly.py",
        "return self.as_of >= self.period.end",
        "return self.as_of > self.period.end",
        RENDER_TESTS,
    ),
    (
        "sambot/reports/monthly.py",
        "if action.shared_with_client]",
        "if not action.shared_with_client]",
        RENDER_TESTS,
    ),
    (
        "sambot/nudges/service.py",
        "self.overdue + self.due_today + self.due_tomorrow",
        "self.due_today + self.overdue + self.due_tomorrow",
        "tests/rules/test_nudge_selection.py",
    ),
    (
        "sambot/actions/schemas.py",
        "return None if isinstance(value, str) and not value.strip() else value",
        "return value",
        "tests/rules/test_validation.py",
    ),
    (
        "sambot/accounts/schemas.py",
        "and margin > revenue:",
        "and margin > revenue + 1:",
        "tests/rules/test_validation.py",
    ),
    (
        "sambot/accounts/schemas.py",
        '.replace(",", "").replace(" ", "")',
        '.replace(",", "")',
        "tests/rules/test_validation.py",
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        "{%- if a.objective and not client %}",
        "{%- if a.objective %}",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        "{%- if a.shared_with_client and not client %}",
        "{%- if a.shared_with_client %}",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        "{%- for a in report.shared_completed[:limit] %}",
        "{%- for a in report.completed[:limit] %}",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        "{%- for a in report.shared_open[:limit] %}",
        "{%- for a in report.due_next_month[:limit] %}",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        '(" so far" if not report.is_complete else "")',
        '(" so far" if report.is_complete else "")',
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        "{%- if client %}\n{{ b.header(",
        "{%- if not client %}\n{{ b.header(",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.json.j2",
        "{%- if a.obstacle %}",
        "{%- if not a.obstacle %}",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "_blocks.j2",
        "{% if items | length > limit %}",
        "{% if items | length >= limit %}",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "_blocks.j2",
        "{{ items | length - limit }} more",
        "{{ items | length }} more",
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.txt.j2",
        '{{ report.shared_completed | length | plural("shared action") }}',
        '{{ report.completed | length | plural("shared action") }}',
        RENDER_TESTS,
    ),
    (
        TEMPLATES + "monthly_report.txt.j2",
        "{{ report.shared_open | length }} open",
        "{{ report.overdue | length }} open",
        RENDER_TESTS,
    ),
    (
        ACTION_MODEL,
        "if status not in OPEN_STATUSES or due_date is None",
        "if due_date is None",
        ACTION_BLOCK_TESTS,
    ),
    (
        ACTION_MODEL,
        "return (today - due_date).days",
        "return (today - due_date).days + 1",
        ACTION_BLOCK_TESTS,
    ),
    (
        ACTION_BLOCKS,
        "if due_date == today and status in OPEN_STATUSES:",
        "if due_date == today:",
        ACTION_BLOCK_TESTS,
    ),
    (ACTION_BLOCKS, "{'s' if late != 1 else ''}", "{'s' if late > 0 else ''}", ACTION_BLOCK_TESTS),
    (
        ACTION_BLOCKS,
        "late = days_late(due_date, status, today)",
        "late = days_late(due_date, ActionStatus.OPEN, today)",
        ACTION_BLOCK_TESTS,
    ),
    (
        ACTION_BLOCKS,
        'state = "" if status == ActionStatus.OPEN else',
        'state = "" if True else',
        ACTION_BLOCK_TESTS,
    ),
    (
        ACTION_BLOCKS,
        "if status != current or status == ActionStatus.BLOCKED",
        "if status != current",
        ACTION_BLOCK_TESTS,
    ),
    (
        ACTION_BLOCKS,
        'mark = MARKS.get(status, ":pushpin:")',
        'mark = ":pushpin:"',
        ACTION_BLOCK_TESTS,
    ),
    # An answer that says it closes its connection, or that ends with it, is not kept.
    (CLIENT, "self.will_close = not self._parser.should_keep_alive()", "pass", CLIENT_TESTS),
    (CLIENT, "if answer.will_close or len(idle)", "if len(idle)", CLIENT_TESTS),
    (
        CLIENT,
        "if self._framed_by_close():\n                    break",
        "if False:\n                    break",
        CLIENT_TESTS,
    ),
    (CLIENT, 'if name.strip().lower() == "charset"', "if False", CLIENT_TESTS),
    (CLIENT, "if _UNSAFE_IN_HEADER.search(", "if not _UNSAFE_IN_HEADER.search(", CLIENT_TESTS),
    # Nothing came: retried. Some came, then nothing: Slack may have acted, not retried.
    (
        CLIENT,
        "if not started:\n                    raise http.client.RemoteDisconnected",
        "if True:\n                    raise http.client.RemoteDisconnected",
        CLIENT_TESTS,
    ),
    (CLIENT, "self._chunks.append(chunk)", "self._chunks[:] = [chunk]", CLIENT_TESTS),
    (CLIENT, "if not ready.poll(0):", "if True:", CLIENT_TESTS),
    # The version is read once per transaction; a session is made only to read.
    (READ_CACHE, "known[0]() is transaction", "known is not None", READ_CACHE_TESTS),
    (READ_CACHE, "transaction is not None and known", "known", READ_CACHE_TESTS),
    (READ_CACHE, "if connection.info.get(WROTE_KEPT):", "if False:", READ_CACHE_TESTS),
    (
        READ_CACHE,
        # A session made for every read, kept or not.
        "version = _version_seen_by(connection)\n",
        "version = _version_seen_by(connection)\n        session_on(reader).__enter__()\n",
        READ_CACHE_TESTS,
    ),
    # The door looks for dead work processes at most so often; /readyz at once.
    (
        WORKLOAD,
        "if not now and time.monotonic() < self._next_check:",
        "if False:",
        WORK_SOCKET_TESTS,
    ),
    (WORKLOAD, "workers = self._alive(now=True)", "workers = self._alive()", WORK_SOCKET_TESTS),
    # A day of the month alone: the next one, or the last one in the past; a year refused.
    (DATES, "last_day_of_month if past else", "next_day_of_month if past else", DATES_TESTS),
    (DATES, "gone_by = day < today.day if", "gone_by = day <= today.day if", DATES_TESTS),
    (DATES, "else day > today.day", "else day >= today.day", DATES_TESTS),
    (DATES, "if not 1 <= day <= 31:", "if not 0 <= day <= 31:", DATES_TESTS),
    (DATES, "return index // 12, index % 12 + 1", "return index // 12, index % 12", DATES_TESTS),
    (DATES, 'if text.isdigit():  # "2027"', 'if False:  # "2027"', DATES_TESTS),
    (DATES, '"past" if past else "future"', '"future"', DATES_TESTS),
]


def run(copy: Path, path: str, text: str, replacement: str, tests: str) -> bool:
    """Whether the tests fail with the mutant applied (the copy is restored after)."""
    target = copy / path
    original = target.read_text()
    if original.count(text) != 1:
        raise SystemExit(f"{path}: the text to mutate is not there exactly once: {text!r}")
    target.write_text(original.replace(text, replacement))
    try:
        result = subprocess.run(
            [*PYTEST, *tests.split()],
            cwd=copy,
            env={**os.environ, "SAMBOT_TEST_BACKENDS": "sqlite"},
            capture_output=True,
            text=True,
        )
    finally:
        target.write_text(original)
    return result.returncode == 1


def main() -> int:
    killed, total, survivors = Counter(), Counter(), []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source, copy / name)
        for path, text, replacement, tests in MUTANTS:
            total[path] += 1
            if run(copy, path, text, replacement, tests):
                killed[path] += 1
            else:
                survivors.append(f"{path}: {text!r} -> {replacement!r}")
    width = max(len(path) for path in total)
    print(f"{'hand-made mutants in':<{width}}  killed  total")
    for path in total:
        print(f"{path:<{width}}  {killed[path]:>6}  {total[path]:>5}")
    for survivor in survivors:
        print(f"SURVIVED {survivor}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
