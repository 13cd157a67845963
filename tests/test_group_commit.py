"""Group commit: threads that queue while a batch runs share the next one."""
import threading

from saver.group_commit import GroupCommit


class Recorder:
    """A commit that records its batches; the first one waits for ``release``."""

    def __init__(self):
        self.batches = []
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, items):
        self.batches.append(items)
        self.started.set()
        self.release.wait(10)
        if "fail" in items:
            raise RuntimeError("commit failed")
        return [ValueError(item) if item.startswith("bad") else item.upper() for item in items]


def run_threads(recorder, first, items):
    """Queue ``first`` alone, then ``items`` while it runs; return each item's outcome."""
    group = GroupCommit(recorder)
    outcomes = {}

    def call(item):
        try:
            outcomes[item] = group(item)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            outcomes[item] = exc

    threads = [threading.Thread(target=call, args=(first,))]
    threads[0].start()
    recorder.started.wait(10)
    for item in items:
        threads.append(threading.Thread(target=call, args=(item,)))
        threads[-1].start()
    while len(group._queue) < len(items):  # every later item is waiting its turn
        threading.Event().wait(0.01)
    recorder.release.set()
    for thread in threads:
        thread.join(10)
    return group, outcomes


def test_items_queued_during_a_batch_go_in_the_next_one_together():
    recorder = Recorder()
    _, outcomes = run_threads(recorder, "a", ["b", "c", "d", "e"])
    assert outcomes == {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}
    assert recorder.batches[0] == ["a"]
    assert sorted(recorder.batches[1]) == ["b", "c", "d", "e"]
    assert len(recorder.batches) == 2


def test_an_items_own_failure_is_raised_in_its_thread_only():
    _, outcomes = run_threads(Recorder(), "a", ["bad-1", "ok"])
    assert isinstance(outcomes["bad-1"], ValueError)
    assert outcomes["ok"] == "OK" and outcomes["a"] == "A"


def test_a_failed_commit_fails_its_whole_batch_and_the_next_leader_goes_on():
    group, outcomes = run_threads(Recorder(), "a", ["fail", "x"])
    assert outcomes["a"] == "A"
    assert all(isinstance(outcomes[item], RuntimeError) for item in ("fail", "x"))
    assert group("later") == "LATER"  # no thread was left leading


def test_a_lone_item_runs_at_once():
    recorder = Recorder()
    recorder.release.set()
    assert GroupCommit(recorder)("solo") == "SOLO"
    assert recorder.batches == [["solo"]]


def test_every_thread_gets_its_own_result():
    recorder = Recorder()
    recorder.release.set()
    group = GroupCommit(recorder)
    results = {}
    threads = [threading.Thread(target=lambda i=i: results.setdefault(i, group(f"t{i}")))
               for i in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {i: f"T{i}" for i in range(100)}
