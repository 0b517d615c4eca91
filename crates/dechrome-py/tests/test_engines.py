"""The integrations, through the README's examples: datatrove, Spark and the Ray recipe."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pytest

import dechrome
from conftest import REPO, cli_clean_jsonl

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_shows_the_examples_as_they_are() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    for path in sorted(EXAMPLES.glob("*.py")):
        assert path.read_text(encoding="utf-8") in blocks, f"README.md does not show {path.name} as it is"


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_datatrove_pipeline_gives_the_commands_output(documents: list[str], dechrome_bin: Path, tmp_path: Path) -> None:
    pytest.importorskip("datatrove")
    pages = documents
    records = [{"id": f"doc-{i}", "text": text} for i, text in enumerate(pages)]
    half = len(records) // 2
    (tmp_path / "in").mkdir()
    write_jsonl(tmp_path / "in" / "a.jsonl", records[:half])
    write_jsonl(tmp_path / "in" / "b.jsonl", records[half:])
    example("datatrove_pipeline").clean_pages(str(tmp_path / "in"), str(tmp_path / "out"), str(tmp_path / "logs"))
    outputs = sorted((tmp_path / "out").glob("*.jsonl"))
    assert len(outputs) == 2, "one output per task"
    cleaned = {}
    for output in outputs:
        for line in output.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            # datatrove's writer leaves out empty fields, an empty text among them.
            cleaned[record["id"]] = record.get("text", "")
    expected = cli_clean_jsonl(dechrome_bin, pages, tmp_path, "--keep-quotes")
    assert cleaned == {f"doc-{i}": text for i, text in enumerate(expected)}
    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    step = next(s for s in stats if "dechrome" in s["name"])
    dropped = {k: v["total"] for k, v in step["stats"].items() if k.startswith("dropped_lines/")}
    assert dropped and all(v > 0 for v in dropped.values())
    assert step["stats"]["total"] == len(records)


def test_datatrove_step_counts_and_drops_empty_documents() -> None:
    pytest.importorskip("datatrove")
    from datatrove.data import Document

    from dechrome.datatrove import DechromeFormatter

    step = DechromeFormatter(drop_empty=True, batch_size=2)
    docs = [Document(text=t, id=str(i)) for i, t in enumerate(["Advertisement", "Stocks rose on Monday.", "Share"])]
    out = list(step.run(iter(docs)))
    assert [d.text for d in out] == ["Stocks rose on Monday."]
    assert step.stats["dropped_empty"].total == 2
    assert step.stats["dropped_lines/ads"].total == 1
    with pytest.raises(ValueError):
        DechromeFormatter(dechrome.Cleaner(), keep_quotes=True)


class FakeDataset:
    """What the recipe uses of ray.data.Dataset, applied to one Arrow table."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def map_batches(self, fn, *, fn_constructor_kwargs, batch_format, concurrency):
        assert batch_format == "pyarrow" and concurrency >= 1
        return FakeDataset(fn(**fn_constructor_kwargs)(self.table))


def test_ray_recipe_cleans_a_column(documents: list[str]) -> None:
    pages = documents
    table = pa.table({"id": list(range(len(pages))), "text": pages})
    out = example("ray_recipe").clean_dataset(FakeDataset(table)).table
    assert out.column_names == ["id", "text"]
    assert out.column("text").to_pylist() == dechrome.Cleaner(keep_quotes=True).clean_batch(pages)


@pytest.fixture(scope="module")
def spark():
    pyspark = pytest.importorskip("pyspark")
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    # Workers run this interpreter (with this package), not whichever python3 comes first.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("dechrome-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    assert pyspark.__version__
    yield session
    session.stop()


def test_spark_clean_column_gives_the_commands_output(spark, corpus: Path, dechrome_bin: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 5000
    texts = [r["text"] for r in records]
    src = tmp_path / "pages.parquet"
    pq.write_table(pa.table({"id": [r["id"] for r in records], "text": texts}), src)
    expected = dict(zip((r["id"] for r in records), cli_clean_jsonl(dechrome_bin, texts, tmp_path, "--keep-quotes")))

    spark_clean = example("spark_clean")
    spark_clean.clean_parquet(spark, str(src), str(tmp_path / "clean"))
    out = pq.read_table(tmp_path / "clean")
    assert out.num_rows == len(records)
    assert dict(zip(out.column("id").to_pylist(), out.column("text").to_pylist())) == expected

    spark_clean.clean_parquet_with_udf(spark, str(src), str(tmp_path / "clean-udf"))
    out = pq.read_table(tmp_path / "clean-udf")
    assert dict(zip(out.column("id").to_pylist(), out.column("clean").to_pylist())) == expected


def test_spark_workers_compile_the_cleaner_once(spark) -> None:
    from dechrome.spark import clean_column

    cleaner = dechrome.Cleaner(footer_lines=11)
    df = spark.createDataFrame([(i, f"Advertisement\nStory {i} ran on Monday.") for i in range(4000)], "id long, text string")
    df = clean_column(df.repartition(16), "text", output_col="clean", cleaner=cleaner)

    def builds(batches):
        # The cleaner, pickled with this function like the one of clean_column, in the same worker.
        cleaner.clean("x")
        for batch in batches:
            yield pa.RecordBatch.from_pydict({"pid": [os.getpid()], "rows": [batch.num_rows], "builds": [cleaner._core.builds()]})

    rows = df.mapInArrow(builds, "pid long, rows long, builds long").collect()
    assert sum(r.rows for r in rows) == 4000
    # Sixteen tasks over the reused workers: each compiled the cleaner once.
    assert len(rows) >= 16 and len({r.pid for r in rows}) < len(rows)
    assert {r.builds for r in rows} == {1}, rows
    assert df.filter("clean != concat('Story ', id, ' ran on Monday.')").count() == 0
