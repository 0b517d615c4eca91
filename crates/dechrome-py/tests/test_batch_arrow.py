"""Batches and Arrow arrays give what `clean` gives, document by document."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pytest

import dechrome


@pytest.fixture(scope="module")
def texts(documents: list[str]) -> list[str]:
    return documents + ["", "\n", "Advertisement"]


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_clean_batch_equals_clean(texts: list[str], threads: int) -> None:
    cleaner = dechrome.Cleaner()
    expected = [cleaner.clean(t) for t in texts]
    assert cleaner.clean_batch(texts, threads=threads) == expected
    assert cleaner.clean_batch(iter(texts), threads=threads) == expected
    cleaned, stats = cleaner.clean_batch_with_stats(texts, threads=threads)
    assert cleaned == expected
    assert stats["documents"] == sum(cleaner.clean_with_stats(t)[1]["documents"] for t in texts)


def test_clean_batch_of_nothing() -> None:
    assert dechrome.Cleaner().clean_batch([], threads=4) == []


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string(), pa.string_view()], ids=str)
def test_clean_arrow_equals_clean_and_keeps_type_and_nulls(texts: list[str], kind: pa.DataType) -> None:
    cleaner = dechrome.Cleaner()
    values = [None if i % 7 == 3 else t for i, t in enumerate(texts)]
    array = pa.array(values, type=kind)
    expected = [None if v is None else cleaner.clean(v) for v in values]
    for threads in (1, 2):
        cleaned = cleaner.clean_arrow(array, threads=threads)
        assert cleaned.type == kind
        assert cleaned.to_pylist() == expected
        assert cleaned.null_count == array.null_count
    # Slices: an offset into the buffers, and a length shorter than them.
    for start, stop in ((5, 40), (1, 2), (len(values) - 3, len(values))):
        assert cleaner.clean_arrow(array.slice(start, stop - start)).to_pylist() == expected[start:stop]
    chunked = pa.chunked_array([array.slice(0, 10), array.slice(10)])
    assert cleaner.clean_arrow(chunked).to_pylist() == expected


def test_clean_arrow_exports_to_any_arrow_library() -> None:
    cleaner = dechrome.Cleaner()
    exported = cleaner._core.clean_arrow(pa.array(["Advertisement\nStocks rose.", None]), 1)
    assert isinstance(exported, dechrome.ArrowArray) and len(exported) == 2
    # Imported twice: each export is a new handle on the same buffers.
    assert pa.array(exported).to_pylist() == ["Stocks rose.", None]
    assert pa.array(exported).to_pylist() == ["Stocks rose.", None]


def test_clean_arrow_refuses_what_is_not_strings() -> None:
    cleaner = dechrome.Cleaner()
    with pytest.raises(TypeError, match="strings"):
        cleaner.clean_arrow(pa.array([1, 2]))
    with pytest.raises(TypeError, match="Arrow array"):
        cleaner.clean_arrow(["a list"])


def test_clean_batch_releases_the_gil(texts: list[str]) -> None:
    cleaner = dechrome.Cleaner()
    # Enough text to take a good fraction of a second, with or without the real pages.
    batch = texts * (20 if len(texts) > 100 else 200)
    started = time.perf_counter()
    cleaner.clean_batch(batch, threads=1)
    alone = time.perf_counter() - started
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        cleaner.clean_batch(batch, threads=1)
    finally:
        done.set()
        counter.join()
    # Holding the GIL would leave the counter one or two ticks (it runs only at the start and
    # end); released, it ticks every millisecond or so while the batch is cleaned.
    assert alone > 0.05, "the batch is too small to tell"
    assert ticks >= alone * 1000 / 5
