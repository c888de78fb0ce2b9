"""The socket between a web process and a work process: the event loop writes requests
without ever blocking, the work process's threads take them whole and in order, and its
end of file (or SIGTERM with nothing waiting) tells them no more will come."""

import asyncio
import socket
import threading
import time

import pytest

from sambot.slack.workload import ProcessWorkload, _Inbox, _Outbox


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def on(loop, fn, *args):
    """Run `fn` on the loop, as the web app's request handler does, and return its result."""

    async def call():
        return fn(*args)

    return asyncio.run_coroutine_threadsafe(call(), loop).result(5)


def pair(
    stopping: threading.Event | None = None, poll: float = 0.5, grace: float = 0.0
) -> tuple[_Outbox, _Inbox]:
    web_end, work_end = socket.socketpair()
    return _Outbox(web_end), _Inbox(work_end, stopping or threading.Event(), poll=poll, grace=grace)


def test_requests_arrive_whole_and_in_order_then_the_end(loop):
    outbox, inbox = pair()
    items = [({"command": "/touchpoint", "n": n}, "", {"h": "v"}, 1.5, {}) for n in range(50)]
    for item in items:
        on(loop, outbox.send, item)
    outbox.close()
    taken = []
    while (item := inbox.take()) is not None:
        taken.append(item)
    assert taken == items


def test_a_request_the_socket_cannot_take_at_once_waits_without_blocking_the_loop(loop):
    outbox, inbox = pair()
    big = ({"view": "x" * 3_000_000}, "", {}, None, {})  # far more than a socket buffer
    started = time.monotonic()
    on(loop, outbox.send, big)
    on(loop, outbox.send, ({"n": 2}, "", {}, None, {}))
    # Nobody reads yet: both were taken in at once, the rest left waiting for the loop.
    assert time.monotonic() - started < 1.0
    assert len(outbox._pending) > 0
    assert not outbox._flushed.is_set()
    closed = threading.Thread(target=outbox.close)
    closed.start()
    assert inbox.take() == big
    assert inbox.take() == ({"n": 2}, "", {}, None, {})
    closed.join(5)
    assert not closed.is_alive()
    assert outbox._pending == bytearray()
    assert inbox.take() is None  # then the end


def test_close_with_the_loop_gone_writes_what_waits_itself():
    outbox, inbox = pair()
    loop = asyncio.new_event_loop()

    async def send_big():
        outbox.send(({"view": "y" * 2_000_000}, "", {}, None, {}))

    loop.run_until_complete(send_big())
    loop.close()  # a forced stop: nothing will write it for us
    assert outbox._pending
    reader = threading.Thread(target=lambda: taken.append(inbox.take()))
    taken: list = []
    reader.start()
    outbox.close()
    reader.join(5)
    assert taken == [({"view": "y" * 2_000_000}, "", {}, None, {})]
    assert inbox.take() is None


def test_every_thread_of_a_work_process_sees_the_end():
    outbox, inbox = pair()
    outbox.close()
    ends: list = []
    threads = [threading.Thread(target=lambda: ends.append(inbox.take())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert ends == [None] * 4


def test_the_web_process_gone_is_the_end():
    outbox, inbox = pair()
    outbox.sock.close()  # as the kernel does when the web process dies
    assert inbox.take() is None


def test_on_sigterm_a_work_process_ends_once_nothing_waits(loop):
    stopping = threading.Event()
    outbox, inbox = pair(stopping, poll=0.05)
    on(loop, outbox.send, ({"n": 1}, "", {}, None, {}))
    stopping.set()
    assert inbox.take() == ({"n": 1}, "", {}, None, {})  # what waits is still done
    ends: list = []
    reader = threading.Thread(target=lambda: ends.append(inbox.take()), daemon=True)
    reader.start()
    reader.join(1.0)
    assert ends == [None]


def test_without_sigterm_an_idle_work_process_keeps_waiting(loop):
    outbox, inbox = pair(poll=0.05)
    taken: list = []
    reader = threading.Thread(target=lambda: taken.append(inbox.take()))
    reader.start()
    time.sleep(0.3)  # several polls with nothing to take
    assert reader.is_alive()
    on(loop, outbox.send, ({"n": 1}, "", {}, None, {}))
    reader.join(5)
    assert taken == [({"n": 1}, "", {}, None, {})]


def test_a_request_for_a_work_process_that_exited_is_dropped_not_raised(loop, caplog):
    outbox, inbox = pair()
    inbox.sock.close()
    on(loop, outbox.send, ({"n": 1}, "", {}, None, {}))
    on(loop, outbox.send, ({"n": 2}, "", {}, None, {}))
    assert "work process that exited" in caplog.text


def test_after_sigterm_work_still_sent_within_the_grace_is_taken(loop):
    """SIGTERM to the whole group: the web process still acks what is in progress, and
    sends its work, for a while."""
    stopping = threading.Event()
    outbox, inbox = pair(stopping, poll=0.05, grace=0.6)
    stopping.set()
    taken: list = []
    reader = threading.Thread(target=lambda: taken.append(inbox.take()), daemon=True)
    reader.start()
    time.sleep(0.3)  # idle, but within the grace
    on(loop, outbox.send, ({"n": 1}, "", {}, None, {}))
    reader.join(2)
    assert taken == [({"n": 1}, "", {}, None, {})]
    started = time.monotonic()
    assert inbox.take() is None  # idle past the grace: the end
    assert time.monotonic() - started < 1.0


def wait_for_the_end(sock, ahead, ready, threads) -> None:
    """A work process that does nothing until its web process closes its end."""
    ready.value = 1
    sock.recv(1)


def test_a_dead_work_process_found_by_two_threads_at_once_is_replaced_once(caplog):
    workload = ProcessWorkload(wait_for_the_end, processes=1)
    dead = workload._workers[0]
    dead.process.kill()
    dead.process.join(5)
    barrier = threading.Barrier(2)

    def check() -> None:  # the event loop's submit and /readyz's thread
        barrier.wait()
        workload._alive()

    checks = [threading.Thread(target=check) for _ in range(2)]
    for thread in checks:
        thread.start()
    for thread in checks:
        thread.join(10)
    assert caplog.text.count("starting another") == 1
    assert workload._workers[0] is not dead and workload._workers[0].process.is_alive()
    assert dead.outbox.sock.fileno() == -1  # its socket closed
    workload.drain()
    assert not workload._workers


def test_the_door_looks_for_dead_work_processes_at_most_so_often_readyz_at_once(caplog):
    workload = ProcessWorkload(wait_for_the_end, processes=1)
    workload._alive()  # a look: the next is LIVENESS_CHECK_S away
    dead = workload._workers[0]
    dead.process.kill()
    dead.process.join(5)
    assert workload._alive()[0] is dead  # a waitpid per command would cost the acks
    time.sleep(ProcessWorkload.LIVENESS_CHECK_S)
    replaced = workload._alive()[0]
    assert replaced is not dead
    workload._alive()
    replaced.process.kill()
    replaced.process.join(5)
    workload.problem()  # /readyz looks now
    assert workload._workers[0] is not replaced
    assert caplog.text.count("starting another") == 2
    workload.drain()
