"""Group commit: the writes that queue in one process meanwhile share a transaction.

A write transaction costs about the same whether it stores one row or five,
and on SQLite every writer of every process waits for its turn. Under load
the threads of a daemon would each take that turn for one row, and a thread
holding it loses the GIL to its neighbours at each SQLite call, so everyone
queued waits for them too. Here one thread at a time leads: it takes every
item queued so far, runs them in one call, and hands each waiting thread its
own result; threads that queue meanwhile wait for the next leader.
"""
import threading
from concurrent.futures import Future


class GroupCommit:
    """Run ``commit(items)`` for the items of waiting threads, a batch at a time.

    ``commit`` takes a list of items and returns one result per item, in
    order; a result that is an exception is raised in that item's thread. If
    ``commit`` raises, every item of the batch raises it.
    """

    def __init__(self, commit):
        self._commit = commit
        self._queue = []
        self._leading = False
        self._changed = threading.Condition()

    def __call__(self, item):
        """Queue ``item``, wait until a batch holding it has run, and return its result."""
        future = Future()
        with self._changed:
            self._queue.append((item, future))
            while self._leading and not future.done():
                self._changed.wait()
            batch = None
            if not future.done():
                self._leading = True
                batch, self._queue = self._queue, []
        if batch:
            self._lead(batch)
        return future.result()

    def _lead(self, batch):
        try:
            results = self._commit([item for item, _ in batch])
        except BaseException as exc:  # each thread of the batch raises it, this one too
            for _, future in batch:
                future.set_exception(exc)
        else:
            for (_, future), result in zip(batch, results):
                if isinstance(result, Exception):
                    future.set_exception(result)
                else:
                    future.set_result(result)
        finally:
            with self._changed:
                self._leading = False
                self._changed.notify_all()
