"""Cleaning a Spark DataFrame column with dechrome.

:func:`clean_column` runs ``mapInArrow``: each Arrow batch's column is cleaned with
:meth:`dechrome.Cleaner.clean_arrow`, with no Python object per string. :func:`cleaning_udf`
is the same as a ``pandas_udf`` for ``withColumn`` and ``select``.

The cleaner travels to the executors as its settings (rule packs included, as text); each
Python worker compiles it once and reuses it for every task.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import Cleaner

if TYPE_CHECKING:
    import pyarrow
    from pyspark.sql import DataFrame

__all__ = ["clean_column", "cleaning_udf"]


def clean_column(
    df: DataFrame,
    col: str,
    *,
    output_col: str | None = None,
    cleaner: Cleaner | None = None,
    threads: int = 1,
    **options: Any,
) -> DataFrame:
    """``df`` with the string column ``col`` cleaned, in place or into ``output_col``.

    Args:
        cleaner: the cleaner; by default one built here from ``options`` (the keyword arguments
            of :class:`dechrome.Cleaner`), so a bad option fails on the driver.
        threads: threads per Spark task (default 1: Spark runs one task per core).
    """
    from pyspark.sql.types import StringType, StructField, StructType

    if cleaner is not None and options:
        raise ValueError("pass either a cleaner or the options to build one, not both")
    cleaner = cleaner if cleaner is not None else Cleaner(**options)
    if col not in df.columns:
        raise ValueError(f"no column {col!r} in {df.columns}")
    output_col = output_col or col
    fields = list(df.schema.fields)
    if output_col == col:
        index = df.columns.index(col)
        fields[index] = StructField(col, StringType(), fields[index].nullable)
    else:
        fields.append(StructField(output_col, StringType(), True))
    schema = StructType(fields)

    def clean_batches(batches: Iterator[pyarrow.RecordBatch]) -> Iterator[pyarrow.RecordBatch]:
        import pyarrow

        for batch in batches:
            cleaned = cleaner.clean_arrow(batch.column(col), threads=threads)
            if output_col == col:
                columns = [cleaned if name == col else batch.column(name) for name in batch.schema.names]
                yield pyarrow.RecordBatch.from_arrays(columns, names=batch.schema.names)
            else:
                yield pyarrow.RecordBatch.from_arrays(
                    [*batch.columns, cleaned], names=[*batch.schema.names, output_col]
                )

    return df.mapInArrow(clean_batches, schema)


def cleaning_udf(*, cleaner: Cleaner | None = None, threads: int = 1, **options: Any) -> Any:
    """A ``pandas_udf`` (string -> string) that cleans a column:
    ``df.withColumn("text", cleaning_udf()("text"))``. Nulls stay null."""
    import pandas
    import pyarrow
    from pyspark.sql.functions import pandas_udf

    if cleaner is not None and options:
        raise ValueError("pass either a cleaner or the options to build one, not both")
    cleaner = cleaner if cleaner is not None else Cleaner(**options)

    def dechrome_clean(texts: pandas.Series) -> pandas.Series:
        cleaned = cleaner.clean_arrow(pyarrow.Array.from_pandas(texts, type=pyarrow.large_string()), threads=threads)
        return cleaned.to_pandas()

    # Spark reads the UDF's kind from its type hints, which this module keeps as strings.
    dechrome_clean.__annotations__ = {"texts": pandas.Series, "return": pandas.Series}
    return pandas_udf("string")(dechrome_clean)  # type: ignore[call-overload]

