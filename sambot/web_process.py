"""The processes of `sambot run` beyond the first, each built from the environment as
`sambot run` builds its own: a web process among several (SAMBOT_WEB_PROCESSES), which
uvicorn's supervisor starts afresh and asks for its app (`web_app`), and a work process
(SAMBOT_WORK_PROCESSES), which runs the work after the acks its web process sends it
(`work`)."""

import gc
import os
import signal
import threading

from slack_bolt import App

from sambot.config import Settings, load_settings
from sambot.db import Database
from sambot.ops import logs
from sambot.ops.health import readiness_problem
from sambot.slack.app import build_app
from sambot.slack.guard import BodyLimit, Refusals
from sambot.slack.server import GRACEFUL_SHUTDOWN_S, build_web_app, settle_for_acks
from sambot.slack.workload import ProcessWorkload, Workload, serve_work


def web_app() -> BodyLimit:
    settings = load_settings()
    logs.configure_logging(settings.sambot_log_format, secrets=settings.secrets)
    database = Database(settings.database_url)
    app = build_app(settings, database)
    refusals = Refusals()
    workload = workload_for(settings, app)
    web = build_web_app(
        app,
        settings.slack_signing_secret,
        refusals,
        workload,
        readiness=lambda: readiness_problem(database),
    )
    settle_for_acks(refusals)
    return web


def workload_for(settings: Settings, app: App) -> Workload | ProcessWorkload:
    """Where a web process runs the work after its acks: its own threads, or work processes."""
    threads, processes = settings.sambot_work_threads, settings.sambot_work_processes
    # Shed once more waits than two rounds of the threads: a trigger's 3 s stay far off.
    most_ahead = max(24, 2 * threads * max(processes, 1))
    if processes:
        return ProcessWorkload(work, processes=processes, threads=threads, most_ahead=most_ahead)
    return Workload(app, threads=threads, most_ahead=most_ahead)


WORK_NICENESS = 5


def work(sock, ahead, ready, threads: int) -> None:
    """A work process: its own app, then the requests its web process sends, until no more
    will come. Ctrl-C reaches the whole process group: the web process handles it, finishes
    answering, sends what waits, then closes its end, which ends this one. So does SIGTERM
    sent to the group; SIGTERM sent to this process alone ends it once nothing has waited
    for longer than the web process's graceful stop. Its web process exiting ends it too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stopping.set())
    # When the cores are all busy, the web process's acks go first.
    os.nice(WORK_NICENESS)
    settings = load_settings()
    logs.configure_logging(settings.sambot_log_format, secrets=settings.secrets)
    app = build_app(settings, Database(settings.database_url))
    gc.freeze()
    serve_work(
        app,
        sock,
        ahead,
        ready,
        threads=threads,
        stopping=stopping,
        grace=GRACEFUL_SHUTDOWN_S + 5,
    )
    logs.flush()
