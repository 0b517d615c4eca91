"""A datatrove pipeline step that cleans documents with dechrome.

>>> from datatrove.executor import LocalPipelineExecutor
>>> from datatrove.pipeline.readers import JsonlReader
>>> from datatrove.pipeline.writers import JsonlWriter
>>> from dechrome.datatrove import DechromeFormatter
>>> LocalPipelineExecutor(
...     pipeline=[JsonlReader("in/"), DechromeFormatter(), JsonlWriter("out/")], tasks=2
... ).run()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.typeshelper import StatHints

from . import Cleaner

__all__ = ["DechromeFormatter"]


class DechromeFormatter(PipelineStep):
    """Cleans each document's text, in batches of ``batch_size`` documents.

    Args:
        cleaner: the cleaner to use; by default one built from ``options`` (the keyword
            arguments of :class:`dechrome.Cleaner`).
        threads: threads per batch. The default, 1, cleans on the task's own thread: datatrove
            already runs one task per core.
        batch_size: documents cleaned together.
        drop_empty: leave out documents whose cleaned text is empty (counted as ``dropped_empty``).

    Records in the step's stats: lines and bytes dropped per category
    (``dropped_lines/<category>``, ``dropped_bytes/<category>``) and characters removed in all
    (``chars_removed``).
    """

    name = "🧽 dechrome"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        cleaner: Cleaner | None = None,
        *,
        threads: int = 1,
        batch_size: int = 256,
        drop_empty: bool = False,
        **options: Any,
    ) -> None:
        super().__init__()
        if cleaner is not None and options:
            raise ValueError("pass either a cleaner or the options to build one, not both")
        self.cleaner = cleaner if cleaner is not None else Cleaner(**options)
        self.threads = threads
        self.batch_size = batch_size
        self.drop_empty = drop_empty

    def _clean(self, batch: list[Document]) -> Iterator[Document]:
        with self.track_time(unit="batch"):
            texts, stats = self.cleaner.clean_batch_with_stats([doc.text for doc in batch], threads=self.threads)
        for category, counts in stats["categories"].items():
            self.stat_update(f"dropped_lines/{category}", value=counts["lines"], unit="batch")
            self.stat_update(f"dropped_bytes/{category}", value=counts["bytes"], unit="batch")
        for doc, text in zip(batch, texts):
            self.stat_update("chars_removed", value=len(doc.text) - len(text))
            doc.text = text
            if self.drop_empty and not text:
                self.stat_update("dropped_empty")
                continue
            self.update_doc_stats(doc)
            yield doc

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        batch: list[Document] = []
        for doc in data or ():
            self.stat_update(StatHints.total)
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._clean(batch)
                batch = []
        if batch:
            yield from self._clean(batch)
