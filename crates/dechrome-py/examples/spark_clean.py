from pyspark.sql import SparkSession

from dechrome.spark import clean_column, cleaning_udf


def clean_parquet(spark: SparkSession, src: str, dst: str) -> None:
    """Cleans the `text` column of a Parquet dataset (mapInArrow, no Python string per row)."""
    df = spark.read.parquet(src)
    clean_column(df, "text", keep_quotes=True).write.mode("overwrite").parquet(dst)


def clean_parquet_with_udf(spark: SparkSession, src: str, dst: str) -> None:
    """The same with a pandas_udf, into a new column."""
    clean = cleaning_udf(keep_quotes=True)
    spark.read.parquet(src).withColumn("clean", clean("text")).write.mode("overwrite").parquet(dst)
