#!/usr/bin/env python3
"""Score peer plain-text boilerplate removers on the aeb-dev pages, with eval_quality.py's metric.

Run (from the repository root; Python 3.11, no dechrome binary needed):

    nice -n 10 python3 scripts/eval_peers.py [--data DIR] [--per-page]

Versions used (pip show):
    jusText 3.0.2, lxml 6.2.1, lxml_html_clean 0.4.7 (jusText 3.0.2 imports lxml.html.clean, which
    lxml >= 5.2 moved into that separate package), datatrove 0.10.1, spacy 3.8.18 (datatrove's C4
    filter counts sentences with a blank spaCy pipeline + sentencizer; no model download).
Install:
    python3 -m pip install justext==3.0.2 lxml_html_clean==0.4.7 datatrove==0.10.1 spacy==3.8.18

Peers, each fed the page's lines (page text split on "\\n"):
  no cleaning   the page as is.
  jusText       each non-empty line becomes one <p> (HTML-escaped); justext.justext() with default
                parameters; keep paragraphs with `not p.is_boilerplate`, joined with "\\n".
                Stoplist (crude language guess): English, unless another jusText stoplist matches
                more of the page's word tokens (\\w+, lowercased) that are *not* English stopwords
                than the English stoplist matches tokens, and those matches are >= 15 % of the
                page's tokens. (Plain "most hits" picks Finnish/Marathi for many English pages:
                those lists contain English-looking words such as "d", "am", "bay".) Languages
                without a jusText stoplist (e.g. Japanese) fall back to English.
  datatrove C4  datatrove.pipeline.filters.c4_filters.C4QualityFilter, default settings with
                filter_no_terminal_punct=True (as in C4), run via its filter() on a Document; when
                filter() returns True the rewritten doc.text is scored. When a whole-document rule
                fires (fewer than 5 sentences, "lorem ipsum", a curly bracket) the page is NOT
                scored empty: we score the text it would have kept anyway, i.e. filter() re-run
                with those whole-document rules switched off (min_num_sentences=-1,
                filter_lorem_ipsum=False, filter_curly_bracket=False), so only its line rules
                apply. A note under the table gives the figure with such pages scored empty.
  15-line       keep lines of 12+ whitespace-separated words ending in . ! ? (optionally followed
                by closing quotes/brackets); also keep a non-kept short line (< 12 words) whose
                nearest non-empty neighbours above and below are both kept by the first rule.

Metric: imported from eval_quality.py (tokens, shingles, match, metrics): 4-token shingle
multisets, per-page normalised TP/FP/FN, macro-averaged precision and recall, F1 of the averages.
"""
from __future__ import annotations

import argparse
import html
import logging
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # leave no __pycache__ in the repo
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from eval_quality import match, metrics, shingles, tokens  # noqa: E402

REPO_ROOT = HERE.parent

# ---------------------------------------------------------------- jusText


def pick_stoplist(text: str, stoplists: dict[str, frozenset]) -> str:
    toks = [t.lower() for t in tokens(text)]
    if not toks:
        return "English"
    en = stoplists["English"]
    en_hits = sum(t in en for t in toks)
    best, best_hits = "English", -1
    for name, words in stoplists.items():
        if name in ("English", "Simple_English"):
            continue
        hits = sum(t in words and t not in en for t in toks)
        if hits > best_hits:
            best, best_hits = name, hits
    if best_hits > en_hits and best_hits >= 0.15 * len(toks):
        return best
    return "English"


def run_justext(lines: list[str], stoplist: frozenset) -> str:
    import justext

    paras = [f"<p>{html.escape(ln)}</p>" for ln in lines if ln.strip()]
    if not paras:
        return ""
    doc = (
        '<html><head><meta charset="utf-8"></head><body>\n'
        + "\n".join(paras)
        + "\n</body></html>"
    )
    kept = [p.text for p in justext.justext(doc, stoplist) if not p.is_boilerplate]
    return "\n".join(kept)


# ---------------------------------------------------------------- datatrove C4


class C4Runner:
    def __init__(self) -> None:
        from datatrove.pipeline.filters.c4_filters import C4QualityFilter

        self.full = C4QualityFilter(filter_no_terminal_punct=True)
        self.lines_only = C4QualityFilter(
            filter_no_terminal_punct=True,
            min_num_sentences=-1,
            filter_lorem_ipsum=False,
            filter_curly_bracket=False,
        )

    def __call__(self, pid: str, lines: list[str]) -> tuple[str, str | None]:
        """Return (text to score, reason the whole page would have been dropped or None)."""
        from datatrove.data import Document

        text = "\n".join(lines)
        doc = Document(text=text, id=pid)
        res = self.full.filter(doc)
        ok, reason = (res, None) if isinstance(res, bool) else res
        if ok:
            return doc.text, None
        doc2 = Document(text=text, id=pid)
        res2 = self.lines_only.filter(doc2)
        assert res2 is True, res2
        return doc2.text, reason or "dropped"


# ---------------------------------------------------------------- 15-line heuristic

END_RE = re.compile(r"[.!?][\"'”’»)\]]*$")


def run_heuristic(lines: list[str]) -> str:
    def good(ln: str) -> bool:
        s = ln.strip()
        return len(s.split()) >= 12 and bool(END_RE.search(s))

    kept = [good(ln) for ln in lines]
    nonempty = [i for i, ln in enumerate(lines) if ln.strip()]
    out = list(kept)
    for k in range(1, len(nonempty) - 1):
        i = nonempty[k]
        if not kept[i] and len(lines[i].split()) < 12:
            if kept[nonempty[k - 1]] and kept[nonempty[k + 1]]:
                out[i] = True
    return "\n".join(ln for ln, k in zip(lines, out) if k)


# ---------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(REPO_ROOT / "../shared/data/aeb-dev"))
    ap.add_argument("--per-page", action="store_true", help="print per-page F1 and jusText stoplist")
    args = ap.parse_args()

    logging.disable(logging.WARNING)
    try:
        from loguru import logger as _lg  # datatrove logs via loguru

        _lg.remove()
    except Exception:
        pass
    import justext

    stoplists = {name: justext.get_stoplist(name) for name in justext.get_stoplists()}
    c4 = C4Runner()

    data = Path(args.data)
    golds = sorted(data.glob("*.gold.txt"))
    if not golds:
        sys.exit(f"no *.gold.txt in {data}")

    methods = ["no cleaning", "jusText (lines as <p>)", "datatrove C4 line filter", "15-line heuristic"]
    scores: dict[str, list] = {m: [] for m in methods}
    c4_empty: list = []
    c4_dropped: dict[str, str] = {}
    langs: dict[str, int] = {}
    for g in golds:
        pid = g.name[: -len(".gold.txt")]
        page = (data / f"{pid}.txt").read_text(encoding="utf-8")
        gold = shingles(g.read_text(encoding="utf-8"))
        lines = page.split("\n")

        lang = pick_stoplist(page, stoplists)
        langs[lang] = langs.get(lang, 0) + 1
        c4_text, reason = c4(pid, lines)
        if reason:
            c4_dropped[pid] = reason
        outs = {
            "no cleaning": page,
            "jusText (lines as <p>)": run_justext(lines, stoplists[lang]),
            "datatrove C4 line filter": c4_text,
            "15-line heuristic": run_heuristic(lines),
        }
        for m in methods:
            scores[m].append(match(gold, shingles(outs[m])))
        c4_empty.append(match(gold, shingles("" if reason else c4_text)))
        if args.per_page:
            f1s = " ".join(f"{metrics([scores[m][-1]])[2]:.3f}" for m in methods)
            print(f"{pid} {lang:<12} {f1s}{'  C4 page-drop: ' + reason if reason else ''}")

    n = len(golds)
    print(f"pages: {n}")
    print(f"{'method':<28} {'precision':>9} {'recall':>9} {'F1':>9}")
    for m in methods:
        p, r, f = metrics(scores[m])
        print(f"{m:<28} {p:>9.4f} {r:>9.4f} {f:>9.4f}")
    p, r, f = metrics(c4_empty)
    print(
        f"\nC4: whole-document rules fired on {len(c4_dropped)} page(s) "
        f"({', '.join(sorted(set(c4_dropped.values()))) or '-'}); scored above with the lines its "
        f"line rules keep.\n    With those pages scored as empty output instead: "
        f"P={p:.4f} R={r:.4f} F1={f:.4f}"
    )
    print("jusText stoplists used: " + ", ".join(f"{k}×{v}" for k, v in sorted(langs.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
