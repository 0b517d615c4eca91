"""dechrome: strip site chrome (menus, ads, captions, share bars, footers) from scraped article
text and normalize what is left, with the same output as the ``dechrome`` command.

>>> import dechrome
>>> dechrome.Cleaner().clean("Accessibility links\\nHello.")
'Hello.'

A str is cleaned as the command cleans a text field of JSON Lines: it ends with a newline only
when it did before. Bytes are cleaned as the command cleans a file (a BOM, UTF-16 and invalid
UTF-8 are read as it reads them), every kept line ending with a newline.

A :class:`Cleaner` is compiled once per process and settings: building, copying and unpickling
one again (as Spark and datatrove do for every task) reuses the compiled rules.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any, Union

from . import _dechrome
from ._dechrome import ArrowArray

__all__ = ["ArrowArray", "Cleaner", "DEFAULT_FOOTER_LINES", "DEFAULT_HEADER_LINES", "DEFAULT_MAX_LINE_BYTES"]
__version__: str = _dechrome.__version__

DEFAULT_HEADER_LINES = 20
DEFAULT_FOOTER_LINES = 20
DEFAULT_MAX_LINE_BYTES = 1024 * 1024

#: A rule pack: its TOML text, or ``(source_name, toml_text)`` where the source name (a path,
#: say) appears in error messages.
RulePack = Union[str, tuple[str, str]]
#: A document: text (cleaned as a JSONL text field), or bytes (cleaned as a file).
Text = Union[str, bytes]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _count(name: str, value: Any, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"invalid setting: {name} must be at least {minimum}")
    return value


def _named(kind: str, packs: Iterable[RulePack]) -> list[tuple[str, str]]:
    named = []
    for index, pack in enumerate(packs, 1):
        if isinstance(pack, str):
            named.append((f"<{kind} {index}>", pack))
        elif isinstance(pack, tuple) and len(pack) == 2 and all(isinstance(p, str) for p in pack):
            named.append(pack)
        else:
            raise TypeError(f"a {kind} pack is TOML text or (source_name, toml_text), not {type(pack).__name__}")
    return named


class Cleaner:
    """Cleans documents. Every option mirrors the command line option of the same meaning.

    Args:
        rules: rule packs added to the built-in one, as TOML text (``--rules FILE``): executors
            do not have the driver's files, so packs travel as text. A pack may be
            ``(source_name, toml_text)``; see also :meth:`from_rule_files`.
        default_rules: load the built-in rule pack (``False``: ``--no-default-rules``).
        disable: rule ids or categories to disable (``--disable``).
        keep_quotes: keep curly quotes (``--keep-quotes``).
        ascii_punct: map dashes to ``-``/``--`` and the ellipsis to ``...`` (``--ascii-punct``).
        nfkc: NFKC instead of NFC (``--nfkc``).
        keep_duplicates: keep lines that repeat an earlier line (``--keep-duplicates``).
        keep_mojibake: leave mojibake as it is (``--keep-mojibake``).
        keep_entities: leave HTML character references as they are (``--keep-entities``).
        header_lines: size of the header zone in kept non-blank lines (``--header-lines``).
        footer_lines: size of the footer zone; 0 turns footer rules off (``--footer-lines``).
        max_line_bytes: longer lines pass through untouched (``--max-line-bytes``).
        classifier: judge lines with the line classifier (``False``: ``--no-classifier``).
        model: a classifier model's JSON text, or ``(source_name, json_text)`` (``--model``).
        threads: threads of :meth:`clean_batch`, :meth:`clean_arrow` and :meth:`clean_jsonl`
            when they are not given one (``--jobs``); default (or 0): one per core available.

    Raises:
        ValueError: a rule pack, model or setting is invalid (the command's message).
    """

    __module__ = "dechrome"

    def __init__(
        self,
        *,
        rules: Sequence[RulePack] = (),
        default_rules: bool = True,
        disable: Sequence[str] = (),
        keep_quotes: bool = False,
        ascii_punct: bool = False,
        nfkc: bool = False,
        keep_duplicates: bool = False,
        keep_mojibake: bool = False,
        keep_entities: bool = False,
        header_lines: int = DEFAULT_HEADER_LINES,
        footer_lines: int = DEFAULT_FOOTER_LINES,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        classifier: bool = True,
        model: RulePack | None = None,
        threads: int | None = None,
    ) -> None:
        if isinstance(rules, str):
            rules = [rules]
        if isinstance(disable, str):
            disable = [disable]
        if model is not None and not classifier:
            raise ValueError("a model needs the classifier: leave out model or classifier=False")
        settings: dict[str, Any] = {
            "rules": _named("rules", rules),
            "default_rules": bool(default_rules),
            "disable": [str(name) for name in disable],
            "keep_quotes": bool(keep_quotes),
            "ascii_punct": bool(ascii_punct),
            "nfkc": bool(nfkc),
            "keep_duplicates": bool(keep_duplicates),
            "keep_mojibake": bool(keep_mojibake),
            "keep_entities": bool(keep_entities),
            "header_lines": _count("header_lines", header_lines),
            "footer_lines": _count("footer_lines", footer_lines),
            "max_line_bytes": _count("max_line_bytes", max_line_bytes),
            "classifier": bool(classifier),
            "model": None if model is None else _named("model", [model])[0],
        }
        self._threads = None if threads is None else _count("threads", threads) or None
        self._core = _dechrome.Core(**settings)
        self._settings = settings

    @classmethod
    def from_rule_files(
        cls, paths: Iterable[str | os.PathLike[str]], *, model_file: str | os.PathLike[str] | None = None, **options: Any
    ) -> Cleaner:
        """A cleaner with the rule packs of these files (``--rules``) and, optionally, the model
        file ``model_file`` (``--model``), read here: the cleaner carries their text to
        wherever it is sent. Errors name the files, as the command's do."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        rules = list(options.pop("rules", ()))
        for path in paths:
            with open(path, encoding="utf-8") as file:
                rules.append((os.fspath(path), file.read()))
        if model_file is not None:
            with open(model_file, encoding="utf-8") as file:
                options["model"] = (os.fspath(model_file), file.read())
        return cls(rules=rules, **options)

    def _threads_or_default(self, threads: int | None) -> int:
        if threads is not None:
            # 0: one per core, as with the command's `-j 0`.
            return _count("threads", threads) or _cores()
        return self._threads or _cores()

    def clean(self, text: Text) -> str:
        """The cleaned text of one document. A str ends with a newline only when it did (as
        the command's JSONL text fields); bytes are cleaned as the command cleans a file. A
        form-feed line inside separates documents. The GIL is released while it cleans."""
        return self._core.clean(text)

    def clean_with_stats(self, text: Text) -> tuple[str, dict[str, Any]]:
        """The cleaned text and what was dropped: counts of documents, lines and bytes, and
        ``categories`` / ``rules`` mapping each to the lines and bytes it dropped."""
        return self._core.clean_with_stats(text)

    def explain(self, text: Text) -> list[dict[str, Any]]:
        """Every input line's decision, in order: ``document``, ``line`` (1-based numbers),
        ``decision`` (``keep``, ``drop`` or ``blank``), ``reason`` (a rule id, ``duplicate-line``
        or the classifier's reason) and ``category`` of a dropped line, the classifier's
        ``score``, whether repair changed it (``repaired``), its ``text`` and its
        ``normalized`` text (as ``--explain`` prints)."""
        return self._core.explain(text)

    def clean_batch(self, texts: Iterable[Text], *, threads: int | None = None) -> list[str]:
        """``[clean(t) for t in texts]``, in parallel on ``threads`` threads (0: one per core)
        with the GIL released; ``threads=1`` cleans on the calling thread."""
        return self._core.clean_batch(texts, self._threads_or_default(threads))

    def clean_batch_with_stats(
        self, texts: Iterable[Text], *, threads: int | None = None
    ) -> tuple[list[str], dict[str, Any]]:
        """:meth:`clean_batch` and the statistics of the whole batch (as :meth:`clean_with_stats`)."""
        return self._core.clean_batch_with_stats(texts, self._threads_or_default(threads))

    def clean_arrow(self, array: Any, *, threads: int | None = None) -> Any:
        """Cleans an Arrow array of ``string``, ``large_string`` or ``string_view`` through the
        Arrow C data interface: no Python object per string. Nulls stay null. The result has the
        input's type (a ``string`` array whose text would outgrow 32-bit offsets becomes
        ``large_string``): a ``pyarrow.Array`` for pyarrow input (a ``pyarrow.ChunkedArray``
        chunk by chunk), otherwise an :class:`ArrowArray` that any Arrow library imports."""
        threads = self._threads_or_default(threads)
        if type(array).__module__.startswith("pyarrow"):
            import pyarrow

            if isinstance(array, pyarrow.ChunkedArray):
                chunks = [self.clean_arrow(chunk, threads=threads) for chunk in array.chunks]
                return pyarrow.chunked_array(chunks, type=None if chunks else array.type)
            return pyarrow.array(self._core.clean_arrow(array, threads))
        return self._core.clean_arrow(array, threads)

    def clean_jsonl(
        self,
        src: str | os.PathLike[str],
        dst: str | os.PathLike[str],
        *,
        text_key: str = "text",
        drop_empty: bool = False,
        skip_bad_records: bool = False,
        bad_records: str | os.PathLike[str] | None = None,
        max_record_bytes: int = 64 * 1024 * 1024,
        threads: int | None = None,
    ) -> dict[str, Any]:
        """Cleans the ``text_key`` field of every record of the JSON Lines file ``src`` into
        ``dst``, every other field kept byte for byte, as the command's JSONL mode does with
        ``-o dst``: gzip and zstd input recognized by content, the output compressed as its name
        says (``.gz``, ``.zst``, or not). Records are read and written in Rust: no
        ``json.loads`` per record.

        ``drop_empty`` leaves out records whose cleaned text is empty; ``skip_bad_records``
        counts malformed records and copies them to ``bad_records`` (default ``dst`` +
        ``.bad-records``) instead of raising ``ValueError``; a record longer than
        ``max_record_bytes`` (``--max-record-bytes``, default 64 MiB) is a bad record, never held
        whole. Returns the counts: ``records``,
        ``written``, ``bad_records``, ``dropped_empty``, ``input_bytes``, ``output_bytes`` and
        ``text`` (as :meth:`clean_with_stats`)."""
        if bad_records is not None and not skip_bad_records:
            raise ValueError("bad_records needs skip_bad_records=True")
        if skip_bad_records and bad_records is None:
            bad_records = os.fspath(dst) + ".bad-records"
        return self._core.clean_jsonl(
            os.fspath(src),
            os.fspath(dst),
            text_key=text_key,
            drop_empty=drop_empty,
            skip_bad_records=skip_bad_records,
            bad_records=None if bad_records is None else os.fspath(bad_records),
            max_record_bytes=max_record_bytes,
            threads=self._threads_or_default(threads),
        )

    def rules(self) -> list[tuple[str, str]]:
        """The rules in effect, in priority order, as (id, category) (``--list-rules``)."""
        return self._core.rules()

    @property
    def model_name(self) -> str | None:
        """The classifier model's name; ``None`` without the classifier."""
        return self._core.model_name()

    def settings(self) -> dict[str, Any]:
        """The keyword arguments that build this cleaner again."""
        return dict(self._settings, threads=self._threads)

    # Pickled as its settings (a few hundred bytes plus any rule text); unpickling in a process
    # that already built the same cleaner reuses it.
    def __getstate__(self) -> dict[str, Any]:
        return self.settings()

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cleaner) and self.settings() == other.settings()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.settings().items())))

    def __repr__(self) -> str:
        defaults = Cleaner.__init__.__kwdefaults__ or {}
        changed = []
        for key, value in self.settings().items():
            default = defaults.get(key)
            if key in ("rules", "disable") and not value:
                continue
            if value != default:
                if key == "rules":
                    changed.append(f"rules=[{', '.join(name for name, _ in value)}]")
                elif key == "model":
                    changed.append(f"model={value[0]!r}")
                else:
                    changed.append(f"{key}={value!r}")
        return f"Cleaner({', '.join(changed)})"
