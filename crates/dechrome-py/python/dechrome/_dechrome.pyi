"""The native module of dechrome; use the documented API of the ``dechrome`` package."""

from typing import Any

__version__: str

class ArrowArray:
    """A cleaned Arrow array, exported through the Arrow PyCapsule protocol."""

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...
    def __len__(self) -> int: ...

class Core:
    def __init__(
        self,
        *,
        rules: list[tuple[str, str]],
        default_rules: bool,
        disable: list[str],
        keep_quotes: bool,
        ascii_punct: bool,
        nfkc: bool,
        keep_duplicates: bool,
        keep_mojibake: bool,
        keep_entities: bool,
        header_lines: int,
        footer_lines: int,
        max_line_bytes: int,
        classifier: bool,
        model: tuple[str, str] | None,
    ) -> None: ...
    def clean(self, text: str | bytes) -> str: ...
    def clean_with_stats(self, text: str | bytes) -> tuple[str, dict[str, Any]]: ...
    def explain(self, text: str | bytes) -> list[dict[str, Any]]: ...
    def clean_batch(self, texts: object, threads: int) -> list[str]: ...
    def clean_batch_with_stats(self, texts: object, threads: int) -> tuple[list[str], dict[str, Any]]: ...
    def clean_arrow(self, array: object, threads: int) -> ArrowArray: ...
    def clean_jsonl(
        self,
        src: str,
        dst: str,
        *,
        text_key: str,
        drop_empty: bool,
        skip_bad_records: bool,
        bad_records: str | None,
        max_record_bytes: int,
        threads: int,
    ) -> dict[str, Any]: ...
    def rules(self) -> list[tuple[str, str]]: ...
    def model_name(self) -> str | None: ...
    def builds(self) -> int:
        """Cleaners of these settings compiled by this process."""

def builds() -> int:
    """Cleaners compiled by this process so far."""
