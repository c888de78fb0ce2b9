"""The work after an ack: a few threads, counted, and shed at the door when it piles up.

Commands, buttons, shortcuts and events are acknowledged empty by every sambot listener,
so the HTTP edge answers Slack at once and hands the request to this workload. Under a
burst the acks stay fast, and when more work waits than a few threads can finish while
Slack's 3-second trigger still lives, new commands are told "busy" in their ack instead
of queueing behind it.
"""

import contextvars
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from queue import Empty

from slack_bolt import App, BoltRequest

from sambot.ops import logs
from sambot.slack.envelopes import RECEIVED_AT

logger = logging.getLogger(__name__)

BUSY = (
    ":hourglass: sambot is busy right now and couldn't take that in time. "
    "Please run the command again in a moment."
)


# Set on a workload thread while it dispatches a request the edge has already acknowledged.
_dispatching = threading.local()


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that knows how many of its tasks are waiting or running.

    As Bolt's listener executor, it runs a listener at once in the calling thread when that
    thread is the workload's: the request is acknowledged already, so handing the listener
    to another thread (while this one polls for its ack every 10 ms) would only add a thread
    contending for the GIL with the event loop that answers the acks.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_flight = 0
        self._count_lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if getattr(_dispatching, "active", False):
            return _run_here(fn, *args, **kwargs)
        with self._count_lock:
            self.in_flight += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future) -> None:
        with self._count_lock:
            self.in_flight -= 1


def _run_here(fn, /, *args, **kwargs) -> Future:
    future: Future = Future()
    try:
        future.set_result(fn(*args, **kwargs))
    except BaseException as exc:  # as the pool would: kept in the future
        future.set_exception(exc)
    return future


def _dispatch_here(app: App, request: BoltRequest) -> None:
    _dispatching.active = True
    try:
        app.dispatch(request)
    finally:
        _dispatching.active = False


class Workload:
    """Bolt's dispatch for early-acked requests, on `threads` threads.

    `busy()` counts both what waits to be dispatched and the listeners still running after
    their ack (Bolt's listener executor): together, the work ahead of a new request.
    """

    # Two threads: each runs a whole listener (reads, Block Kit, the call to Slack). More
    # threads served more under saturation but, all wanting the GIL, now and then kept the
    # event loop from it for seconds: acks over 1 s and expired triggers (bench/README.md).
    def __init__(self, app: App, *, threads: int = 2, most_ahead: int = 24):
        self.app = app
        self.most_ahead = most_ahead
        self.dispatcher = CountingExecutor(max_workers=threads, thread_name_prefix="dispatch")

    @property
    def ahead(self) -> int:
        return self.dispatcher.in_flight + self.app.listener_runner.listener_executor.in_flight

    def busy(self) -> bool:
        return self.ahead >= self.most_ahead

    def problem(self) -> str | None:
        return None  # threads of this process: it answers, so they run

    def submit(self, request: BoltRequest) -> None:
        # The response is Bolt's ack, already sent by the edge. The request's log context
        # (its id, team, command) goes along.
        self.dispatcher.submit(contextvars.copy_context().run, _dispatch_here, self.app, request)

    def drain(self) -> None:
        """Finish every request already acknowledged, and the listeners they started."""
        self.dispatcher.shutdown(wait=True)
        self.app.listener_runner.listener_executor.shutdown(wait=True)


class ProcessWorkload:
    """The work after the acks in processes of its own (SAMBOT_WORK_PROCESSES), so that the
    web process's GIL answers acks and nothing else.

    Each work process builds its own app (`start`, run there) and runs requests on
    `threads` threads: no event loop in it competes with them for its GIL. Each has its
    own queue (a process killed while reading a shared one would hold its lock for good),
    and a request goes to the one with the least work ahead. `busy()` is true when
    `most_ahead` requests wait or run.
    """

    def __init__(
        self,
        start: Callable[..., None],
        *,
        processes: int,
        threads: int = 2,
        most_ahead: int = 24,
    ):
        spawn = multiprocessing.get_context("spawn")  # a fresh interpreter, no copied locks
        self.most_ahead = most_ahead
        self.threads = threads
        # Work processes that have built their app and wait for requests.
        self._ready = spawn.Value("i", 0)
        self._workers = [_WorkProcess(spawn, start, self._ready, threads) for _ in range(processes)]

    @property
    def ahead(self) -> int:
        return sum(worker.ahead.value for worker in self._workers if worker.process.is_alive())

    def busy(self) -> bool:
        return self.ahead >= self.most_ahead

    def problem(self) -> str | None:
        """What keeps the work processes from serving (for /readyz), if anything."""
        exited = [w.process.pid for w in self._workers if not w.process.is_alive()]
        if exited:
            return f"work process {', '.join(map(str, exited))} exited"
        ready, wanted = self._ready.value, len(self._workers)
        return None if ready == wanted else f"{ready} of {wanted} work processes started"

    def submit(self, request: BoltRequest) -> None:
        alive = [worker for worker in self._workers if worker.process.is_alive()]
        worker = min(alive or self._workers, key=lambda w: w.ahead.value)
        with worker.ahead.get_lock():
            worker.ahead.value += 1
        # Only what the work process needs, all of it plain data (pickled by the queue's
        # own thread, off the event loop).
        worker.queue.put(
            (
                request.body,
                request.query,
                request.headers,
                request.context.get(RECEIVED_AT),
                {name: variable.get() for name, variable in logs.CONTEXT.items()},
            )
        )

    def drain(self) -> None:
        """Finish every request already acknowledged, then stop the work processes."""
        for worker in self._workers:
            for _ in range(self.threads):
                worker.queue.put(None)
        for worker in self._workers:
            worker.process.join()


class _WorkProcess:
    """A work process, its queue, and the requests put there and not yet finished."""

    def __init__(self, spawn, start: Callable[..., None], ready, threads: int):
        self.queue = spawn.Queue()
        self.ahead = spawn.Value("i", 0)
        self.process = spawn.Process(
            target=start,
            args=(self.queue, self.ahead, ready, threads),
            name="sambot-work",
            daemon=True,
        )
        self.process.start()


def serve_work(app: App, queue, ahead, ready, *, parent: int, threads: int) -> None:
    """A work process: `threads` threads each take the next request from its queue, until
    each is told to stop or the web process (`parent`) is gone (killed without a chance to
    say so). A request waits on Slack for most of its time: several threads keep the core
    busy while each waits."""
    runners = [
        threading.Thread(target=_take_work, args=(app, queue, ahead, parent), name=f"work-{n}")
        for n in range(threads)
    ]
    for runner in runners:
        runner.start()
    with ready.get_lock():
        ready.value += 1
    for runner in runners:
        runner.join()


def _take_work(app: App, queue, ahead, parent: int) -> None:
    while True:
        try:
            item = queue.get(timeout=1)
        except Empty:
            if os.getppid() != parent:
                return
            continue
        if item is None:
            return
        body, query, headers, received_at, log_context = item
        for name, value in log_context.items():
            logs.CONTEXT[name].set(value)
        request = BoltRequest(
            body=body,
            query=query,
            headers=headers,
            context={RECEIVED_AT: received_at},
            mode="socket_mode",  # verified and parsed by the web process
        )
        try:
            _dispatch_here(app, request)
        except Exception:  # Bolt's error handler has logged it; the next one goes on
            logger.exception("a request's work failed")
        finally:
            with ahead.get_lock():
                ahead.value -= 1
