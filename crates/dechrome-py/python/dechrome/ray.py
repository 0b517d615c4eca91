"""Cleaning a Ray Data dataset with dechrome: :class:`CleanBatches` is a callable class for
``Dataset.map_batches`` with ``batch_format="pyarrow"``; Ray builds it once per actor.

    import ray
    from dechrome.ray import CleanBatches

    ds = ray.data.read_parquet("pages/")
    ds = ds.map_batches(
        CleanBatches,
        fn_constructor_kwargs={"column": "text", "options": {"keep_quotes": True}},
        batch_format="pyarrow",
        concurrency=4,
    )
    ds.write_parquet("clean/")

It needs nothing from Ray itself: it maps a ``pyarrow.Table`` to a ``pyarrow.Table``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import Cleaner

if TYPE_CHECKING:
    import pyarrow

__all__ = ["CleanBatches"]


class CleanBatches:
    """Cleans the string column ``column`` of each batch (into ``output_column`` if given).

    ``options`` are the keyword arguments of :class:`dechrome.Cleaner`; ``threads`` per batch
    defaults to 1 (Ray runs one actor per CPU it is given)."""

    def __init__(
        self,
        column: str = "text",
        *,
        output_column: str | None = None,
        threads: int = 1,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.cleaner = Cleaner(**(options or {}))
        self.column = column
        self.output_column = output_column or column
        self.threads = threads

    def __call__(self, batch: pyarrow.Table) -> pyarrow.Table:
        cleaned = self.cleaner.clean_arrow(batch.column(self.column), threads=self.threads)
        if self.output_column in batch.column_names:
            return batch.set_column(batch.column_names.index(self.output_column), self.output_column, cleaned)
        return batch.append_column(self.output_column, cleaned)
