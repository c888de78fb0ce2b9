"""The work after an ack: a few threads, counted, and shed at the door when it piles up.

Commands, buttons, shortcuts and events are acknowledged empty by every sambot listener,
so the HTTP edge answers Slack at once and hands the request to this workload. Under a
burst the acks stay fast, and when more work waits than a few threads can finish while
Slack's 3-second trigger still lives, new commands are told "busy" in their ack instead
of queueing behind it.
"""

import contextvars
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from slack_bolt import App, BoltRequest

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

    def submit(self, request: BoltRequest) -> None:
        # The response is Bolt's ack, already sent by the edge. The request's log context
        # (its id, team, command) goes along.
        self.dispatcher.submit(contextvars.copy_context().run, _dispatch_here, self.app, request)

    def drain(self) -> None:
        """Finish every request already acknowledged, and the listeners they started."""
        self.dispatcher.shutdown(wait=True)
        self.app.listener_runner.listener_executor.shutdown(wait=True)
