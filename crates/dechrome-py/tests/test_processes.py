"""Pickling, the per-process cache, and worker processes made by fork, spawn and forkserver."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys

import cloudpickle
import dill
import pytest

import dechrome
from dechrome import _dechrome

RULES = '[[rule]]\nid = "promo"\ncategory = "promo"\nexact = "Get the app"\n'
PAGE = "Get the app\nAdvertisement\nStocks \u201crose\u201d on Monday after the vote.\n"
# Enough documents that a batch really runs on the pool (one item runs inline).
BATCH = [f"Advertisement\nStory {i}: stocks rose on Monday after the vote.\n" for i in range(64)]
WATCHDOG_SECONDS = 60


@pytest.mark.parametrize("module", [pickle, dill, cloudpickle], ids=lambda m: m.__name__)
def test_pickle_round_trip_keeps_custom_rules(module) -> None:
    cleaner = dechrome.Cleaner(rules=[("promo.toml", RULES)], keep_quotes=True, threads=2)
    data = module.dumps(cleaner)
    assert len(data) < 1000
    again = module.loads(data)
    assert again == cleaner
    assert again.clean(PAGE) == cleaner.clean(PAGE) == "Stocks \u201crose\u201d on Monday after the vote.\n"
    assert again.settings()["threads"] == 2


def test_cleaners_are_compiled_once_per_process_and_settings() -> None:
    cleaner = dechrome.Cleaner(rules=[RULES], footer_lines=7)
    builds = _dechrome.builds()
    for _ in range(3):
        pickle.loads(pickle.dumps(cleaner)).clean(PAGE)
        dechrome.Cleaner(rules=[RULES], footer_lines=7)
    assert _dechrome.builds() == builds
    dechrome.Cleaner(rules=[RULES], footer_lines=8)
    assert _dechrome.builds() == builds + 1


def _batch_in_child(cleaner_bytes: bytes, queue) -> None:
    cleaner = pickle.loads(cleaner_bytes)
    queue.put(cleaner.clean_batch(BATCH, threads=2))


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_workers_clean_batches_after_the_parent_did(method: str) -> None:
    cleaner = dechrome.Cleaner(rules=[RULES])
    # The parent's pool is up and has worked before any worker starts.
    expected = cleaner.clean_batch(BATCH, threads=2)
    context = multiprocessing.get_context(method)
    queue = context.Queue()
    workers = [context.Process(target=_batch_in_child, args=(pickle.dumps(cleaner), queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        results = [queue.get(timeout=WATCHDOG_SECONDS) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
    assert results == [expected, expected]
    assert all(worker.exitcode == 0 for worker in workers)


CHILD = """
import os, signal, sys
import dechrome
batch = [f"Advertisement\\nStory {i}: stocks rose on Monday.\\n" for i in range(64)]
cleaner = dechrome.Cleaner()
expected = cleaner.clean_batch(batch, threads=2)
pid = os.fork()
if pid == 0:
    signal.alarm(%d)  # the watchdog: a hung child is killed, and fails the test
    ok = cleaner.clean_batch(batch, threads=2) == expected and cleaner.clean_batch(batch, threads=3) == expected
    os._exit(0 if ok else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
""" % WATCHDOG_SECONDS


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_bare_forked_child_is_not_stuck_on_the_parents_pool() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, timeout=WATCHDOG_SECONDS * 2)
    assert done.returncode == 0, (done.returncode, done.stderr.decode())


THREADS = """
import os
import dechrome
def threads():
    return len(os.listdir("/proc/self/task"))
batch = [f"Advertisement\\nStory {i}: stocks rose on Monday.\\n" for i in range(64)]
cleaner = dechrome.Cleaner()
before = threads()
cleaner.clean_batch(batch, threads=1)
alone = threads()
cleaner.clean_batch(batch, threads=2)
cleaner.clean_batch(batch, threads=2)
pooled = threads()
print(before, alone, pooled)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="no /proc here")
def test_one_thread_stays_on_the_calling_thread_and_pools_are_kept() -> None:
    done = subprocess.run([sys.executable, "-c", THREADS], capture_output=True, text=True, check=True)
    before, alone, pooled = map(int, done.stdout.split())
    assert alone == before
    # One pool of two threads, made once and kept for the next batch.
    assert pooled == before + 2
