from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from dechrome.datatrove import DechromeFormatter


def clean_pages(input_dir: str, output_dir: str, logging_dir: str, tasks: int = 2) -> None:
    """Cleans the `text` of every record of the JSONL files in input_dir, one task per file."""
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(input_dir),
            DechromeFormatter(keep_quotes=True),  # any dechrome.Cleaner option
            JsonlWriter(output_dir, compression=None),
        ],
        tasks=tasks,
        logging_dir=logging_dir,
    ).run()
