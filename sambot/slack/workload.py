"""The work after an ack: a few threads, counted, and shed at the door when it piles up.

Commands, buttons, shortcuts and events are acknowledged empty by every sambot listener,
so the HTTP edge answers Slack at once and hands the request to this workload. Under a
burst the acks stay fast, and when more work waits than a few threads can finish while
Slack's 3-second trigger still lives, a new command waits a moment at the door
(`Admission`) and is told "busy" in its ack if no room comes, instead of queueing behind
that work.
"""

import asyncio
import contextlib
import contextvars
import logging
import multiprocessing
import pickle
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

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


# How long a command waits for room before it is told busy. Its ack is late by as much, far
# inside Slack's 3 s; what it waits behind is at most two rounds of the threads' work.
ADMISSION_WAIT_S = 0.5
ADMISSION_POLL_S = 0.002


class Admission:
    """The door for commands: when too much work is ahead, a command waits its turn, first
    come first served, for up to `ADMISSION_WAIT_S`, and is let in as the work ahead
    finishes.

    A short burst is then served rather than told busy, and a saturated server takes new
    work at the pace it finishes it instead of spending its CPU on acks that only say
    "busy". One poller on the event loop watches the work ahead while anyone waits: the
    work processes' counts change in other processes, which cannot wake the loop.
    """

    def __init__(self, workload: "Workload | ProcessWorkload", wait: float = ADMISSION_WAIT_S):
        self.workload, self.wait = workload, wait
        self._waiting: deque[asyncio.Future] = deque()
        self._let_in_not_yet_counted = 0  # woken, not yet resumed to submit
        self._poller: asyncio.Task | None = None

    async def enter(self) -> bool:
        """True when the command may go in: the caller submits it before its next await.
        False when no room came in time."""
        if not self._waiting and self._room() > 0:
            return True
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._let_in())
        try:
            await asyncio.wait_for(turn, self.wait)
        except TimeoutError:
            # Let in at the very moment its wait ran out (Python 3.12's wait_for): it goes in.
            return turn.done() and not turn.cancelled()
        finally:
            if turn.done() and not turn.cancelled():  # it was let in (even if cancelled since)
                self._let_in_not_yet_counted -= 1
            else:
                with contextlib.suppress(ValueError):
                    self._waiting.remove(turn)
        return True

    async def _let_in(self) -> None:
        while self._waiting:
            await asyncio.sleep(ADMISSION_POLL_S)
            try:
                self._let_some_in()
            except Exception:  # e.g. a work process failing to start again: keep the door
                logger.exception("the door's poller failed; it goes on")

    def _room(self) -> int:
        """Places left for work: those let in and not yet submitted hold theirs."""
        workload = self.workload
        return workload.most_ahead - workload.ahead - self._let_in_not_yet_counted

    def _let_some_in(self) -> None:
        room = self._room()
        while room > 0 and self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():  # else its wait ran out or it was cancelled
                turn.set_result(None)
                self._let_in_not_yet_counted += 1
                room -= 1


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


@dataclass(frozen=True, slots=True)
class VerifiedRequest:
    """A request whose signature the edge has verified and whose payload it has parsed: what
    its listener needs, as plain data (a work process receives it pickled). Bolt's request
    is built where the listener runs, off the event loop that answers the acks."""

    payload: dict
    query: str
    headers: dict[str, str]
    received_at: float

    def bolt_request(self) -> BoltRequest:
        # Already verified and parsed: Bolt takes a parsed body only in its "socket_mode",
        # which skips a second verification and parse and is otherwise handled as HTTP.
        return BoltRequest(
            body=self.payload,
            query=self.query,
            headers=self.headers,
            # A trigger_id's age is at least the time since then (sambot.slack.context).
            context={RECEIVED_AT: self.received_at},
            mode="socket_mode",
        )


def _dispatch_verified(app: App, request: VerifiedRequest) -> None:
    _dispatching.active = True
    try:
        app.dispatch(request.bolt_request())
    finally:
        _dispatching.active = False


class Workload:
    """Bolt's dispatch for early-acked requests, on `threads` threads.

    `ahead` counts both what waits to be dispatched and the listeners still running after
    their ack (Bolt's listener executor): together, the work ahead of a new request.
    """

    # Each thread runs a whole listener (reads, Block Kit, the calls to Slack). On loopback,
    # where Slack answers at once, threads that all want the GIL kept the event loop from it
    # (bench/README.md); against Slack they mostly wait (SAMBOT_WORK_THREADS, 8 by default).
    def __init__(self, app: App, *, threads: int = 2, most_ahead: int = 24):
        self.app = app
        self.most_ahead = most_ahead
        self.dispatcher = CountingExecutor(max_workers=threads, thread_name_prefix="dispatch")

    @property
    def ahead(self) -> int:
        return self.dispatcher.in_flight + self.app.listener_runner.listener_executor.in_flight

    def problem(self) -> str | None:
        return None  # threads of this process: it answers, so they run

    def submit(self, request: VerifiedRequest) -> None:
        # The response is Bolt's ack, already sent by the edge. The request's log context
        # (its id, team, command) goes along.
        self.dispatcher.submit(
            contextvars.copy_context().run, _dispatch_verified, self.app, request
        )

    def drain(self) -> None:
        """Finish every request already acknowledged, and the listeners they started."""
        self.dispatcher.shutdown(wait=True)
        self.app.listener_runner.listener_executor.shutdown(wait=True)


class ProcessWorkload:
    """The work after the acks in processes of its own (SAMBOT_WORK_PROCESSES), so that the
    web process's GIL answers acks and nothing else.

    Each work process builds its own app (`start`, run there) and runs requests on
    `threads` threads: no event loop in it competes with them for its GIL. Each has its
    own socket to the web process (`_Outbox`, `_Inbox`), and a request goes to the one with
    the least work ahead; `ahead` counts what waits or runs in all of them. A work process
    that dies is started again; the requests it held are lost (their users were acked, and
    get no answer).
    """

    def __init__(
        self,
        start: Callable[..., None],
        *,
        processes: int,
        threads: int = 2,
        most_ahead: int = 24,
    ):
        self._spawn = multiprocessing.get_context("spawn")  # a fresh interpreter
        self._start, self.threads, self.most_ahead = start, threads, most_ahead
        self._workers = [self._new_worker() for _ in range(processes)]
        # The event loop (submit) and /readyz's thread may both find one dead: one replaces it.
        self._replacing = threading.Lock()
        self._next_check = 0.0

    # Whether a process lives costs a system call (waitpid), and the door asks for every
    # command: ask at most this often. A request sent meanwhile to one that died is lost,
    # as are those it already held.
    LIVENESS_CHECK_S = 0.05

    def _new_worker(self) -> "_WorkProcess":
        return _WorkProcess(self._spawn, self._start, self.threads)

    def _alive(self, *, now: bool = False) -> list["_WorkProcess"]:
        """The work processes, any found dead replaced by a new one first: looked for `now`,
        or when the last look is `LIVENESS_CHECK_S` old."""
        if not now and time.monotonic() < self._next_check:
            return self._workers
        with self._replacing:
            self._next_check = time.monotonic() + self.LIVENESS_CHECK_S
            for index, worker in enumerate(self._workers):
                if not worker.process.is_alive():
                    logger.error(
                        "work process %s exited (code %s): starting another",
                        worker.process.pid,
                        worker.process.exitcode,
                    )
                    worker.outbox.discard()  # what it held is lost
                    self._workers[index] = self._new_worker()
            return self._workers

    @property
    def ahead(self) -> int:
        return sum(worker.ahead.value for worker in self._alive())

    def problem(self) -> str | None:
        """What keeps the work processes from serving (for /readyz), if anything."""
        workers = self._alive(now=True)
        ready = sum(worker.ready.value for worker in workers)
        return (
            None if ready == len(workers) else f"{ready} of {len(workers)} work processes started"
        )

    def submit(self, request: VerifiedRequest) -> None:
        """On the event loop: it never waits for a work process."""
        worker = min(self._alive(), key=lambda w: w.ahead.value)
        with worker.ahead.get_lock():
            worker.ahead.value += 1
        log_context = {name: variable.get() for name, variable in logs.CONTEXT.items()}
        worker.outbox.send((request, log_context))

    def drain(self) -> None:
        """Finish every request already acknowledged, then stop the work processes: each
        gets what waits for it, then the end of its socket. Once, off the event loop: a
        second call finds them stopped."""
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.outbox.close()
        for worker in workers:
            worker.process.join()


class _WorkProcess:
    """A work process, its socket, the requests sent and not yet finished, and whether it
    has built its app."""

    def __init__(self, spawn, start: Callable[..., None], threads: int):
        ours, theirs = socket.socketpair()
        self.ahead = spawn.Value("i", 0)
        self.ready = spawn.Value("b", 0)
        self.process = spawn.Process(
            target=start,
            args=(theirs, self.ahead, self.ready, threads),
            name="sambot-work",
            daemon=True,
        )
        self.process.start()
        theirs.close()  # its end is the work process's alone: its death is our end of file
        self.outbox = _Outbox(ours)


FRAME_HEADER = 4  # bytes of big-endian length before each pickled request


class _Outbox:
    """The web process's end of a work process's socket. Requests go as length-prefixed
    pickles, written by the event loop itself: a multiprocessing queue's feeder thread cost
    0.1 ms of the web process's CPU per ack, and woke a thread to contend with the loop
    for the GIL (bench/README.md). What the socket cannot take at once (a large payload, a
    work process behind) waits here and goes as the socket drains: the loop never blocks."""

    def __init__(self, sock: socket.socket):
        sock.setblocking(False)
        self.sock = sock
        self._pending = bytearray()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._flushed = threading.Event()
        self._flushed.set()

    def send(self, item: tuple) -> None:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        frame = len(data).to_bytes(FRAME_HEADER, "big") + data
        if self._pending:
            self._pending += frame
            return
        try:
            sent = self.sock.send(frame)
        except BlockingIOError:
            sent = 0
        except OSError:  # the work process is gone: the check before the next submit sees it
            logger.warning("a request for a work process that exited is lost")
            return
        if sent < len(frame):
            self._pending += memoryview(frame)[sent:]
            self._flushed.clear()
            self._loop = asyncio.get_running_loop()
            self._loop.add_writer(self.sock, self._flush)

    def _flush(self) -> None:
        try:
            sent = self.sock.send(self._pending)
        except BlockingIOError:
            return
        except OSError:
            logger.warning(
                "%s bytes of requests for a work process that exited are lost", len(self._pending)
            )
            sent = len(self._pending)
        del self._pending[:sent]
        if not self._pending:
            self._loop.remove_writer(self.sock)
            self._flushed.set()

    def close(self) -> None:
        """Off the event loop, once no more is sent: the rest waiting, then the end."""
        if self._loop is not None and self._loop.is_running():
            self._flushed.wait()  # the loop writes it
        elif self._pending:  # the loop is gone (a forced stop): write it here
            self.sock.setblocking(True)
            with contextlib.suppress(OSError):
                self.sock.sendall(self._pending)
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_WR)

    def discard(self) -> None:
        """Its work process is gone: what waits for it is dropped (on the loop, which may be
        writing it)."""
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._discard)
        else:
            self._discard()

    def _discard(self) -> None:
        if self._pending:
            self._loop.remove_writer(self.sock)
            self._pending.clear()
            self._flushed.set()
        self.sock.close()


class _Inbox:
    """A work process's end of its socket: its threads take the requests one at a time."""

    def __init__(
        self,
        sock: socket.socket,
        stopping: threading.Event,
        *,
        poll: float = 0.5,
        grace: float = 0.0,
    ):
        sock.settimeout(poll)
        self.sock, self.stopping, self.grace = sock, stopping, grace
        self._stopping_seen: float | None = None
        self._lock = threading.Lock()

    def take(self) -> tuple | None:
        """The next request, or None when no more will come: the web process closed its
        end (or exited), or SIGTERM came (`stopping`) `grace` seconds ago or more and none
        waits. SIGTERM may reach the whole process group, the web process too, which goes
        on answering the requests in progress for a while (and sending their work): its end
        of file, when it is done, is what normally ends a work process."""
        with self._lock:
            header = self._read(FRAME_HEADER, idle=True)
            if header is None:
                return None
            data = self._read(int.from_bytes(header, "big"), idle=False)
            return None if data is None else pickle.loads(data)

    def _read(self, size: int, *, idle: bool) -> bytes | None:
        data = bytearray()
        while len(data) < size:
            try:
                chunk = self.sock.recv(size - len(data))
            except TimeoutError:
                if idle and not data and self._stopped():
                    return None
                continue
            if not chunk:  # the end of file
                return None
            data += chunk
        return bytes(data)

    def _stopped(self) -> bool:
        if not self.stopping.is_set():
            return False
        if self._stopping_seen is None:
            self._stopping_seen = time.monotonic()
        return time.monotonic() - self._stopping_seen >= self.grace


def serve_work(
    app: App,
    sock: socket.socket,
    ahead,
    ready,
    *,
    threads: int,
    stopping: threading.Event,
    grace: float,
) -> None:
    """A work process: `threads` threads each take the next request from its socket until
    none will come (`_Inbox.take`). A request waits on Slack for most of its time: several
    threads keep the core busy while each waits."""
    inbox = _Inbox(sock, stopping, grace=grace)
    runners = [
        threading.Thread(target=_take_work, args=(app, inbox, ahead), name=f"work-{n}")
        for n in range(threads)
    ]
    for runner in runners:
        runner.start()
    ready.value = 1
    for runner in runners:
        runner.join()


def _take_work(app: App, inbox: _Inbox, ahead) -> None:
    while (item := inbox.take()) is not None:
        try:
            request, log_context = item
            for name, value in log_context.items():
                logs.CONTEXT[name].set(value)
            _dispatch_verified(app, request)
        except Exception:  # Bolt's error handler has logged a listener's; the next one goes on
            logger.exception("a request's work failed")
        finally:
            with ahead.get_lock():
                ahead.value -= 1
