"""The door for commands (`Admission`): when too much work is ahead, a command waits its
turn for a moment instead of being told busy at once."""

import asyncio

from sambot.slack.workload import Admission


class Work:
    """A workload's count of the work ahead, moved by the test."""

    def __init__(self, most_ahead: int, ahead: int = 0):
        self.most_ahead, self.ahead = most_ahead, ahead


def enter_all(admission: Admission, work: Work, count: int, finish_after: float | None):
    """`count` commands at the door at once; each let in takes a place ahead. When
    `finish_after` is set, the work ahead finishes one piece at a time at that pace."""
    order: list[int] = []

    async def one(n: int) -> bool:
        if await admission.enter():
            work.ahead += 1
            order.append(n)
            return True
        return False

    async def finish() -> None:
        while finish_after is not None:
            await asyncio.sleep(finish_after)
            work.ahead = max(0, work.ahead - 1)

    async def main() -> list[bool]:
        finisher = asyncio.create_task(finish())
        let_in = await asyncio.gather(*(one(n) for n in range(count)))
        finisher.cancel()
        return let_in

    return asyncio.run(main()), order


def test_with_room_a_command_goes_in_at_once():
    work = Work(most_ahead=3)
    let_in, _ = enter_all(Admission(work, wait=0.0), work, 3, finish_after=None)
    assert let_in == [True, True, True]


def test_a_command_waits_for_room_and_goes_in_when_work_finishes_first_come_first_in():
    work = Work(most_ahead=2, ahead=2)  # full
    let_in, order = enter_all(Admission(work, wait=2.0), work, 4, finish_after=0.02)
    assert let_in == [True] * 4, "the work ahead finished in time: nobody is told busy"
    assert order == [0, 1, 2, 3]


def test_a_command_with_no_room_in_time_is_refused_and_the_next_one_is_still_let_in():
    work = Work(most_ahead=1, ahead=1)  # full, and nothing finishes
    admission = Admission(work, wait=0.05)
    let_in, _ = enter_all(admission, work, 2, finish_after=None)
    assert let_in == [False, False]
    assert not admission._waiting, "a refused command leaves the line at once"
    work.ahead = 0
    let_in, _ = enter_all(admission, work, 1, finish_after=None)
    assert let_in == [True], "refused waits leave nothing behind that holds the door"


def test_while_some_wait_a_newcomer_queues_behind_them_even_if_a_place_just_opened():
    work = Work(most_ahead=1, ahead=1)
    admission = Admission(work, wait=1.0)
    order: list[str] = []

    async def command(name: str) -> None:
        assert await admission.enter()
        work.ahead += 1
        order.append(name)
        await asyncio.sleep(0.01)
        work.ahead -= 1

    async def main() -> None:
        first = asyncio.create_task(command("waiting"))
        await asyncio.sleep(0.01)  # it is at the door now
        work.ahead = 0  # a place opens; the poller has not let anyone in yet
        await asyncio.gather(first, command("newcomer"))

    asyncio.run(main())
    assert order == ["waiting", "newcomer"]
