from dechrome.ray import CleanBatches


def clean_dataset(ds):
    """Cleans the `text` column of a ray.data.Dataset; each actor compiles the cleaner once."""
    return ds.map_batches(
        CleanBatches,
        fn_constructor_kwargs={"column": "text", "options": {"keep_quotes": True}},
        batch_format="pyarrow",
        concurrency=2,
    )
