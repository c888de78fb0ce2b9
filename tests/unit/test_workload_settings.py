"""How many threads run the work after the acks, and how much may wait before a command is
told busy: two rounds of the threads, and never fewer than 24."""

from sambot.config import load_settings
from sambot.slack.workload import Workload
from sambot.web_process import workload_for


def test_the_threads_come_from_the_settings_and_the_shedding_follows_them():
    few = workload_for(load_settings(sambot_work_threads=2, sambot_work_processes=0), None)
    many = workload_for(load_settings(sambot_work_threads=40, sambot_work_processes=0), None)
    try:
        assert isinstance(few, Workload) and isinstance(many, Workload)
        assert (few.dispatcher._max_workers, few.most_ahead) == (2, 24)
        assert (many.dispatcher._max_workers, many.most_ahead) == (40, 80)
    finally:
        few.dispatcher.shutdown()
        many.dispatcher.shutdown()


def test_eight_threads_unless_told():
    """Each waits on Slack for most of a request (50-300 ms over the Internet)."""
    assert load_settings().sambot_work_threads == 8
    assert load_settings().sambot_work_processes == 0
