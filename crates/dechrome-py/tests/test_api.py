"""The Cleaner itself: fixtures, results, errors as the command words them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dechrome
from conftest import fixture_cases, run_cli

BAD_RULES = '[[rule]]\nid = "x"\ncategory = "ads"\nregex = "(unclosed"\n'
PROMO_RULES = '[[rule]]\nid = "promo"\ncategory = "promo"\nexact = "Get the app"\n'


def test_the_readme_line_works_in_a_fresh_interpreter() -> None:
    code = "import dechrome; print(dechrome.Cleaner().clean('Accessibility links\\nHello.'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "Hello.\n"


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.name)
def test_every_fixture_gives_its_expected_output(case: Path) -> None:
    cleaner = dechrome.Cleaner()
    raw, expected = (case / "input.txt").read_bytes(), (case / "expected.txt").read_bytes().decode("utf-8")
    # As bytes, read like a file by the command; as text, decoded as the library's test does
    # and cleaned as a field: a final line end only where the input had one.
    assert cleaner.clean(raw) == expected
    field = expected if raw.endswith(b"\n") else expected.removesuffix("\n")
    assert cleaner.clean(raw.decode("utf-8", errors="replace")) == field
    assert cleaner.clean(expected) == expected
    assert cleaner.clean(field) == field


def test_there_are_fixtures() -> None:
    assert len(fixture_cases()) >= 17


def test_a_str_keeps_its_final_line_end_or_its_lack() -> None:
    cleaner = dechrome.Cleaner()
    assert cleaner.clean("Advertisement\nStocks  rose.") == "Stocks rose."
    assert cleaner.clean("Advertisement\nStocks  rose.\n") == "Stocks rose.\n"
    assert cleaner.clean(b"Advertisement\nStocks  rose.") == "Stocks rose.\n"
    assert cleaner.clean_with_stats("Stocks rose.")[1]["output_bytes"] == len("Stocks rose.")


def test_stats_count_what_was_dropped() -> None:
    text, stats = dechrome.Cleaner().clean_with_stats("Advertisement\nStocks rose on Monday.\n")
    assert text == "Stocks rose on Monday.\n"
    assert stats["documents"] == 1 and stats["input_lines"] == 2 and stats["kept_lines"] == 1
    assert stats["dropped_lines"] == 1
    assert stats["categories"] == {"ads": {"lines": 1, "bytes": len("Advertisement")}}
    assert list(stats["rules"].values())[0]["category"] == "ads"


def test_explain_gives_each_line_its_decision() -> None:
    lines = dechrome.Cleaner().explain("Advertisement\n\nStocks \u201crose\u201d on Monday.\n")
    assert [(l["line"], l["decision"], l["category"]) for l in lines] == [
        (1, "drop", "ads"),
        (2, "blank", None),
        (3, "keep", None),
    ]
    assert lines[0]["reason"] and lines[2]["reason"] is None
    assert lines[2]["text"] == "Stocks \u201crose\u201d on Monday."
    assert lines[2]["normalized"] == 'Stocks "rose" on Monday.'


def test_custom_rules_and_disable() -> None:
    cleaner = dechrome.Cleaner(rules=[PROMO_RULES], disable=["ads"])
    assert cleaner.clean("Get the app\nAdvertisement\nStocks rose on Monday.\n") == (
        "Advertisement\nStocks rose on Monday.\n"
    )
    assert ("promo", "promo") in cleaner.rules()
    assert not any(category == "ads" for _, category in cleaner.rules())
    assert dechrome.Cleaner(default_rules=False, classifier=False).rules() == []
    assert dechrome.Cleaner(classifier=False).model_name is None
    assert dechrome.Cleaner().model_name


def test_rule_files_are_read_here(tmp_path: Path) -> None:
    rules = tmp_path / "promo.toml"
    rules.write_text(PROMO_RULES)
    for paths in (rules, str(rules), [rules]):
        cleaner = dechrome.Cleaner.from_rule_files(paths, keep_quotes=True)
        assert cleaner.settings()["rules"] == [(str(rules), PROMO_RULES)]
        assert cleaner.clean("Get the app\nStocks \u201crose\u201d on Monday.\n") == "Stocks \u201crose\u201d on Monday.\n"


def test_type_errors() -> None:
    cleaner = dechrome.Cleaner()
    with pytest.raises(TypeError, match="str or bytes"):
        cleaner.clean(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str or bytes"):
        cleaner.clean_batch(["a", None])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        dechrome.Cleaner(header_lines="20")  # type: ignore[arg-type]


def cli_error(dechrome_bin: Path, *args: str) -> str:
    done = run_cli(dechrome_bin, *args, stdin=b"text\n")
    assert done.returncode == 2
    message = done.stderr.decode().strip()
    assert message.startswith("dechrome: ")
    return message.removeprefix("dechrome: ")


def test_rule_errors_read_as_the_commands(dechrome_bin: Path, tmp_path: Path) -> None:
    rules = tmp_path / "bad.toml"
    rules.write_text(BAD_RULES)
    with pytest.raises(ValueError) as raised:
        dechrome.Cleaner.from_rule_files([rules])
    assert str(raised.value) == cli_error(dechrome_bin, "--rules", str(rules))
    assert str(raised.value).startswith(f"{rules}: rule \"x\": invalid regex")
    with pytest.raises(ValueError, match=r"^<rules 1>: rule \"x\": invalid regex"):
        dechrome.Cleaner(rules=[BAD_RULES])
    with pytest.raises(ValueError, match=r"^mine\.toml: "):
        dechrome.Cleaner(rules=[("mine.toml", "not toml [")])


def test_setting_errors_read_as_the_commands(dechrome_bin: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError) as raised:
        dechrome.Cleaner(disable=["no-such-rule"])
    assert str(raised.value) == cli_error(dechrome_bin, "--disable", "no-such-rule")
    with pytest.raises(ValueError) as raised:
        dechrome.Cleaner(max_line_bytes=0)
    assert str(raised.value) == cli_error(dechrome_bin, "--max-line-bytes", "0")
    model = tmp_path / "model.json"
    model.write_text("{}")
    with pytest.raises(ValueError) as raised:
        dechrome.Cleaner.from_rule_files([], model_file=model)
    assert str(raised.value) == cli_error(dechrome_bin, "--model", str(model))
    with pytest.raises(ValueError, match="invalid setting: header_lines must be at least 0"):
        dechrome.Cleaner(header_lines=-1)
    with pytest.raises(ValueError, match="invalid setting: threads must be at least 0"):
        dechrome.Cleaner(threads=-1)
    # 0 is one thread per core, as with -j 0.
    assert dechrome.Cleaner(threads=0).clean_batch(["Advertisement", "Stocks rose."], threads=0) == ["", "Stocks rose."]
    with pytest.raises(ValueError, match="classifier"):
        dechrome.Cleaner(model="{}", classifier=False)


def test_clean_jsonl_refuses_bad_records_without_skipping(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "Stocks rose."}\nnot json\n')
    with pytest.raises(ValueError, match="line 2"):
        dechrome.Cleaner().clean_jsonl(src, tmp_path / "out.jsonl")
    stats = dechrome.Cleaner().clean_jsonl(src, tmp_path / "out.jsonl", skip_bad_records=True)
    assert (stats["records"], stats["bad_records"]) == (1, 1)
    assert (tmp_path / "out.jsonl.bad-records").read_text() == "not json\n"
    with pytest.raises(OSError):
        dechrome.Cleaner().clean_jsonl(tmp_path / "missing.jsonl", tmp_path / "out.jsonl")


def test_clean_jsonl_records_over_the_size_limit_are_bad_records(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    long = '{"text": "' + "x" * 200 + '"}'
    src.write_text('{"text": "Stocks rose."}\n' + long + "\n")
    with pytest.raises(ValueError, match="line 2: record longer than 100 bytes"):
        dechrome.Cleaner().clean_jsonl(src, tmp_path / "out.jsonl", max_record_bytes=100)
    stats = dechrome.Cleaner().clean_jsonl(src, tmp_path / "out.jsonl", max_record_bytes=100, skip_bad_records=True)
    assert (stats["records"], stats["bad_records"]) == (1, 1)
    assert (tmp_path / "out.jsonl.bad-records").read_text() == long + "\n"


def test_repr_and_equality() -> None:
    cleaner = dechrome.Cleaner(keep_quotes=True, rules=[("promo.toml", PROMO_RULES)])
    assert repr(cleaner) == "Cleaner(rules=[promo.toml], keep_quotes=True)"
    assert cleaner == dechrome.Cleaner(keep_quotes=True, rules=[("promo.toml", PROMO_RULES)])
    assert cleaner != dechrome.Cleaner()
