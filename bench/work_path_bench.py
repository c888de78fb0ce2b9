"""Where a work process's CPU goes, by part, for one served `/touchpoint` and `/action list`.

The work after the ack runs here as a work process runs it (`sambot.slack.workload`:
Bolt's dispatch of an already verified and parsed command, on one thread), on a migrated
SQLite file seeded as `ack_bench.py` seeds it, against the Slack stand-in in its own
process. One command at a time, on a machine otherwise idle: the CPU of the work alone,
without the contention of the closed loop, where the generator, the stand-in and
sambot's processes share the cores. Each part is timed by wrapping it (thread CPU time);
a part's time includes the parts it calls. The stand-in's own CPU per request is
reported too: on this machine it shares the cores with the app.

`.venv/bin/python bench/work_path_bench.py [--requests 1000] [--runs 3]`
"""

import argparse
import collections
import functools
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ack_bench
from standin_process import StandInProcess

# (module, class or None, function, label): the parts of the work. A part's time includes
# the parts it calls.
PARTS = [
    ("slack_bolt.app.app", "App", "dispatch", "Bolt's dispatch: all of the work"),
    (
        "slack_bolt.listener_matcher.builtins",
        "BuiltinListenerMatcher",
        "matches",
        "Bolt's listener matching",
    ),
    ("sqlalchemy.orm.session", "SessionTransaction", "commit", "committing the session"),
    ("sambot.readcache", "ReadCache", "get", "the forms' kept reads (version check)"),
    ("sambot.slack.listeners.common", None, "touchpoint_modal_for", "the touchpoint modal"),
    ("sambot.actions.service", None, "list_open_for_owner", "the open-actions query"),
    ("sambot.slack.messages", None, "action_list_message", "the action list's blocks"),
    ("sambot.slack.client", "PooledWebClient", "api_call", "views.open (slack-sdk)"),
    ("sambot.slack.client", "PooledRespond", "__call__", "the response_url post"),
    ("sambot.slack.client", None, "send", "within that call, the HTTP exchange (http.client)"),
]
# (module, name, from module): a part imported by name elsewhere, pointed at the wrapped one.
REBIND = [
    ("sambot.slack.listeners.commands", "touchpoint_modal_for", "sambot.slack.listeners.common"),
]


class Timed:
    def __init__(self) -> None:
        self.cpu: collections.Counter = collections.Counter()
        self.calls: collections.Counter = collections.Counter()

    def wrap(self, module: str, owner: str | None, name: str, label: str) -> None:
        target = importlib.import_module(module)
        holder = getattr(target, owner) if owner else target
        function = getattr(holder, name)

        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.cpu[label] += time.thread_time() - started
                self.calls[label] += 1

        setattr(holder, name, timed)


def run(command, requests: int, timed: Timed | None):
    """Seed, build the app as a work process does, serve `requests` commands after a
    warm-up; (sambot's CPU ms, the stand-in's CPU ms) per request."""
    standin = StandInProcess(
        ack_bench.BOT_TOKEN,
        ack_bench.TEAM_ID,
        [(ack_bench.USER, ack_bench.USER_NAME, ack_bench.USER_REAL_NAME)],
        [(ack_bench.CHANNEL, ack_bench.CHANNEL_NAME)],
    )
    try:
        database_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='work-path-')) / 'sambot.db'}"
        ack_bench.seed(database_url)
        os.environ.update(
            SLACK_BOT_TOKEN=ack_bench.BOT_TOKEN,
            SLACK_SIGNING_SECRET=ack_bench.SIGNING_SECRET,
            SLACK_API_URL=standin.base_url,
            DATABASE_URL=database_url,
        )
        from slack_bolt import BoltRequest

        from sambot.config import load_settings
        from sambot.db import Database
        from sambot.ops import logs
        from sambot.slack import envelopes
        from sambot.slack.app import build_app
        from sambot.slack.envelopes import RECEIVED_AT
        from sambot.slack.workload import _dispatch_here

        settings = load_settings()
        logs.configure_logging(settings.sambot_log_format)  # as a work process does
        app = build_app(settings, Database(settings.database_url))
        commands = ack_bench.Commands(
            standin.response_urls(3 * requests, ack_bench.CHANNEL, ack_bench.USER)
        )

        def serve(count: int) -> None:
            for _ in range(count):  # each made as it is sent: its trigger lives 3 s
                body, headers, _trigger, _url = commands.make(command)
                payload = envelopes.parse(body, headers["Content-Type"])
                request = BoltRequest(
                    body=payload,
                    query="",
                    headers=headers,
                    context={RECEIVED_AT: time.time()},
                    mode="socket_mode",
                )
                _dispatch_here(app, request)

        serve(requests)  # warm-up
        if timed is not None:
            for part in PARTS:
                timed.wrap(*part)
            for module, name, source in REBIND:
                wrapped = getattr(importlib.import_module(source), name)
                setattr(importlib.import_module(module), name, wrapped)
        cpu, standin_cpu = time.process_time(), ack_bench.cpu_seconds(standin.pid)
        serve(requests)
        sambot_ms = (time.process_time() - cpu) / requests * 1000
        standin_ms = (ack_bench.cpu_seconds(standin.pid) - standin_cpu) / requests * 1000
        failed = [r for r in standin.records() if not r.ok]
        if failed:
            raise SystemExit(f"calls refused by the stand-in: {failed[:3]}")
        return sambot_ms, standin_ms
    finally:
        standin.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--part", help=argparse.SUPPRESS)  # one measurement, in a child
    args = parser.parse_args()
    commands = {"touchpoint": ack_bench.TOUCHPOINT, "action-list": ack_bench.ACTION_LIST}
    if args.part:
        name, by_part = args.part.split(":")
        timed = Timed() if by_part == "parts" else None
        sambot_ms, standin_ms = run(commands[name], args.requests, timed)
        print(f"total {sambot_ms:.3f} {standin_ms:.3f}")
        for label, cpu in timed.cpu.items() if timed else []:
            per_request = timed.calls[label] / args.requests
            print(f"part {cpu / args.requests * 1000:.3f} {per_request:.1f} {label}")
        return 0
    import subprocess

    for name in commands:
        totals, parts = [], collections.defaultdict(list)
        for _ in range(args.runs):  # a fresh process each: nothing kept from the last run
            for by_part in ("whole", "parts"):
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--requests",
                        str(args.requests),
                        "--part",
                        f"{name}:{by_part}",
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                for line in out.splitlines():
                    kind, rest = line.split(" ", 1)
                    if kind == "total" and by_part == "whole":
                        totals.append(tuple(float(x) for x in rest.split()))
                    elif kind == "part":
                        ms, calls, label = rest.split(" ", 2)
                        parts[label].append((float(ms), float(calls)))
        print(f"\n`{name}` ({args.requests} requests, {args.runs} runs)\n")
        print("| part | CPU per request (ms) | calls per request |")
        print("|---|---:|---:|")
        sambot = [t[0] for t in totals]
        standin = [t[1] for t in totals]
        print(f"| sambot's work, unwrapped | {min(sambot):.2f}-{max(sambot):.2f} | |")
        for label in [part[3] for part in PARTS if part[3] in parts]:
            values = [ms for ms, _ in parts[label]]
            calls = parts[label][0][1]
            print(f"| {label} | {min(values):.2f}-{max(values):.2f} | {calls:g} |")
        print(
            f"| the stand-in (Slack), its own process | {min(standin):.2f}-{max(standin):.2f} | |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
