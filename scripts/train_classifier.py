#!/usr/bin/env python3
"""Train dechrome's line classifier on pages with human-marked articles; write the model file.

Usage (from the repository root):

    pip install -r scripts/requirements-train.txt
    cargo build --release
    python3 scripts/train_classifier.py                  # cross-validate, then write the model
    python3 scripts/train_classifier.py --cv-only        # only the cross-validated figures
    python3 scripts/train_classifier.py --words-only     # the word lists and no trees (keeps
                                                         # every line): the starting point

Data: a folder of `<id>.txt` (a whole page as plain text) and `<id>.gold.txt` (its article as
people marked it); default ../shared/data/aeb-dev. Your own pages work the same way.

How a model is made:
1. The word lists in crates/dechrome/data/words (stop-*.txt, chrome.txt, date.txt) go into a
   model with no trees; `dechrome --model that.json --features FILE` writes every line's
   features, computed by the same code that classifies, so training and use cannot disagree.
2. A line is content when its word tokens occur, in order, in the gold article (lines without
   tokens: when the lines around them are).
3. Stage 1: gradient-boosted trees (LightGBM) over the line and context features.
4. Stage 2: trees over the same features plus features of stage 1's probabilities around each
   line (stacking). Stage 1's probabilities for training stage 2 come from models that did not
   see the page (out-of-fold), again computed by the binary.
5. Cross-validation by page, end to end: for each fold, a model trained on the other pages is
   run through the binary on the fold's pages, and the output is scored as
   scripts/eval_quality.py scores (4-token shingle F1), against rules only and no cleaning.
6. The final model is trained on every page and written to crates/dechrome/data/model/lines.json
   (or --out). Trees are stored as arrays; thresholds are rounded down to the nearest f32, so
   the binary's f32 comparisons send every value where LightGBM's did (checked on every row).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from eval_quality import match, metrics, shingles, tokens  # noqa: E402

csv.field_size_limit(sys.maxsize)
WORDS = REPO / "crates/dechrome/data/words"
FORMAT = "dechrome-line-model/1"


def read_words(path: Path) -> list[str]:
    return [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip() and not w.startswith("#")]


def word_lists() -> dict[str, list[str]]:
    stop = sorted({w for p in sorted(WORDS.glob("stop-*.txt")) for w in read_words(p)})
    return {"stop": stop, "chrome": read_words(WORDS / "chrome.txt"), "date": read_words(WORDS / "date.txt")}


def model_json(name: str, description: str, threshold: float, stages: list[dict]) -> dict:
    return {
        "format": FORMAT,
        "name": name,
        "description": description,
        "threshold": threshold,
        "words": word_lists(),
        "stages": stages,
    }


def words_only_model() -> dict:
    """No trees: every line is content (probability of a raw score of 10)."""
    return model_json("words-only", "word lists only; keeps every line", 0.5, [{"features": [], "bias": 10.0, "trees": []}])


# ---------------------------------------------------------------------------------------------
# Pages, features, labels


class Page:
    """A page (or a document made from one for training) with its gold article. `source` is the
    number of the page it comes from, which keeps it in that page's fold."""

    def __init__(self, pid: str, path: Path, gold: str, source: int = -1):
        self.pid, self.path, self.gold, self.source = pid, path, gold, source
        self.gold_shingles = shingles(gold)
        self.gold_joined = " " + " ".join(tokens(gold)) + " "


def load_pages(data: Path, seeds: bool) -> list[Page]:
    """The pages of `data`, then (with `seeds`) the seed pages of the fixtures, whose expected
    output is their gold: five pages of another kind (the headline at the top, video blocks)."""
    pages = []
    for gold in sorted(data.glob("*.gold.txt")):
        pid = gold.name[: -len(".gold.txt")]
        pages.append(Page(pid, data / f"{pid}.txt", gold.read_text(encoding="utf-8"), len(pages)))
    if not pages:
        sys.exit(f"no <id>.gold.txt pages in {data}")
    if seeds:
        for case in sorted((REPO / "fixtures").glob("seed-*")):
            gold = (case / "expected.txt").read_text(encoding="utf-8")
            pages.append(Page(case.name, case / "input.txt", gold, len(pages)))
    return pages


def run_features(binary: str, model: Path, pages: list[Page], workdir: Path, tag: str):
    """Every non-blank line's features, per page: (names, {pid: (rows, texts)})."""
    out = workdir / f"features-{tag}.tsv"
    subprocess.run(
        [binary, "-j", "1", "--model", str(model), "--features", str(out), "-o", os.devnull]
        + [str(p.path) for p in pages],
        check=True,
    )
    by_source: dict[str, tuple[list[list[float]], list[str]]] = {}
    with open(out, encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        names = header[3:-1]
        for row in reader:
            rows, texts = by_source.setdefault(row[0], ([], []))
            rows.append([float(v) for v in row[3:-1]])
            texts.append(row[-1])
    return names, {p.pid: by_source.get(str(p.path), ([], [])) for p in pages}


def labels(page: Page, texts: list[str]) -> np.ndarray:
    """1 when the line's tokens occur in order in the gold article; a line without tokens when
    the lines with tokens around it do; and the article's headline (see `headline`)."""
    toks = [tokens(t) for t in texts]
    y = [int(bool(t) and f" {' '.join(t)} " in page.gold_joined) for t in toks]
    for i, t in enumerate(toks):
        if not t:
            before = next((y[j] for j in range(i - 1, -1, -1) if toks[j]), 0)
            after = next((y[j] for j in range(i + 1, len(toks)) if toks[j]), 0)
            y[i] = int(before and after)
    title = headline(texts, toks, y)
    if title is not None:
        y[title] = 1
    return np.array(y, dtype=np.int8)


def headline(texts: list[str], toks: list[list[str]], y: list[int]) -> int | None:
    """The article's headline, which the gold articles leave out but dechrome keeps: the nearest
    line before the article's first line (within eight lines) of 3 to 30 tokens, not ending
    like a sentence, with at least three distinct words and 60% of its words from the page's
    first line (its title, as HTML-to-text converters write it)."""
    first = next((i for i, label in enumerate(y) if label), None)
    if first is None or not toks:
        return None
    title = {t.lower() for t in toks[0]}
    for i in range(first - 1, max(first - 9, 0), -1):
        words = [t.lower() for t in toks[i]]
        shared = [w for w in words if w in title]
        if (
            3 <= len(words) <= 30
            and not texts[i].rstrip().endswith(".")
            and len(set(shared)) >= 3
            and len(shared) >= 0.6 * len(words)
        ):
            return i
    return None


def weights(page: Page, texts: list[str]) -> np.ndarray:
    """What a line weighs in training, in proportion to its share of the page's score: its
    tokens (plus one) over the gold article's (at least 50), as the score weighs every page the
    same whatever its length."""
    gold_tokens = max(50, len(page.gold_joined.split()))
    return np.array([(len(tokens(t)) + 1) / gold_tokens for t in texts], dtype=np.float64)


class Dataset:
    """Rows of every document, with the page each comes from and its label."""

    def __init__(self, names: list[str], per_page: dict, pages: list[Page]):
        self.names = names
        xs, ys, ws, page_of = [], [], [], []
        for page in pages:
            rows, texts = per_page[page.pid]
            if not rows:
                continue
            xs.append(np.array(rows, dtype=np.float32))
            ys.append(labels(page, texts))
            ws.append(weights(page, texts))
            page_of.append(np.full(len(rows), page.source))
        self.x = np.vstack(xs)
        self.y = np.concatenate(ys)
        self.w = np.concatenate(ws)
        self.page = np.concatenate(page_of)

    def append(self, other: "Dataset") -> None:
        self.x = np.vstack([self.x, other.x])
        self.y = np.concatenate([self.y, other.y])
        self.w = np.concatenate([self.w, other.w])
        self.page = np.concatenate([self.page, other.page])

    def columns(self, wanted: list[str]) -> np.ndarray:
        index = {name: i for i, name in enumerate(self.names)}
        return self.x[:, [index[n] for n in wanted]]


# ---------------------------------------------------------------------------------------------
# Models


# Features that change as the rounds take lines out, and so teach the model what the first
# round sees but not the next: measured to cost more in rounds than they bring.
UNSTABLE_FEATURES = {"index", "relative_index", "document_lines", "title_overlap", "earlier_repeats", "later_repeats"}


def stage1_features(names: list[str]) -> list[str]:
    first_stacked = names.index("p")
    return [n for n in names[:first_stacked] if n not in UNSTABLE_FEATURES]


def stage2_features(names: list[str]) -> list[str]:
    return [n for n in names if n not in UNSTABLE_FEATURES]


def train_trees(x: np.ndarray, y: np.ndarray, w: np.ndarray, args, trees: int, leaves: int, seed: int):
    import lightgbm as lgb

    # Pages weigh the same whatever their length, as in the score.
    model = lgb.LGBMClassifier(
        n_estimators=trees,
        num_leaves=leaves,
        learning_rate=args.learning_rate,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        random_state=seed,
        n_jobs=args.jobs,
        verbose=-1,
    )
    model.fit(x, y, sample_weight=w)
    return model


def round_down_f32(value: float) -> float:
    """The largest f32 not above `value`: `v <= t` and `v <= round_down_f32(t)` agree for every f32 v."""
    f = np.float32(value)
    if float(f) > value:
        f = np.nextafter(f, np.float32(-np.inf))
    return float(f)


def export_stage(model, features: list[str], x_check: np.ndarray) -> dict:
    """A LightGBM model as arrays of splits and leaves, checked against LightGBM on `x_check`."""
    dump = model.booster_.dump_model()
    trees = []
    for info in dump["tree_info"]:
        split, threshold, left, right, leaf = [], [], [], [], []

        def walk(node) -> int:
            if "leaf_value" in node:
                leaf.append(float(node["leaf_value"]))
                return ~(len(leaf) - 1)
            if node.get("decision_type", "<=") != "<=":
                raise SystemExit(f"unsupported split {node.get('decision_type')}")
            at = len(split)
            split.append(int(node["split_feature"]))
            threshold.append(round_down_f32(float(node["threshold"])))
            left.append(0)
            right.append(0)
            left[at] = walk(node["left_child"])
            right[at] = walk(node["right_child"])
            return at

        root = walk(info["tree_structure"])
        if split and root != 0:
            raise SystemExit("the root of a tree must come first")
        trees.append({"split": split, "threshold": threshold, "left": left, "right": right, "leaf": leaf})
    stage = {"features": features, "bias": 0.0, "trees": trees}
    raw = model.booster_.predict(x_check, raw_score=True)
    mine = np.array([score_stage(stage, row) for row in x_check.astype(np.float32)])
    worst = float(np.max(np.abs(raw - mine))) if len(raw) else 0.0
    if worst > 1e-3:
        raise SystemExit(f"exported trees disagree with LightGBM by {worst}")
    return stage


def score_stage(stage: dict, row: np.ndarray) -> float:
    total = stage["bias"]
    for tree in stage["trees"]:
        if not tree["split"]:
            total += tree["leaf"][0]
            continue
        at = 0
        while at >= 0:
            at = tree["left"][at] if row[tree["split"][at]] <= np.float32(tree["threshold"][at]) else tree["right"][at]
        total += tree["leaf"][~at]
    return total


# ---------------------------------------------------------------------------------------------
# Cross-validation and training


def folds(pages: list[Page], k: int, seed: int) -> list[list[int]]:
    order = list(range(len(pages)))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def write(path: Path, model: dict) -> Path:
    path.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def content_documents(pages: list[Page], per_page: dict, names: list[str], workdir: Path) -> list[Page]:
    """For each page, a document of its content lines only (blank lines where the page had
    them): what the cleaner sees when it cleans its own output, which training on teaches the
    classifier to keep such text as it is."""
    blank = names.index("blank_before")
    documents = []
    for page in pages:
        rows, texts = per_page[page.pid]
        if not rows:
            continue
        lines = []
        for row, text, label in zip(rows, texts, labels(page, texts)):
            if label:
                if lines and row[blank]:
                    lines.append("")
                lines.append(text)
        if lines:
            path = workdir / f"content-{page.pid}.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            documents.append(Page(f"{page.pid}#content", path, page.gold, page.source))
    return documents


class Trainer:
    def __init__(self, args, pages: list[Page], workdir: Path):
        self.args, self.pages, self.workdir = args, pages, workdir
        self.words_model = write(workdir / "words.json", words_only_model())
        self.names, per_page = run_features(args.bin, self.words_model, pages, workdir, "base")
        self.base = Dataset(self.names, per_page, pages)
        self.documents = list(pages)
        if args.augment:
            extra = content_documents(pages, per_page, self.names, workdir)
            names, per_extra = run_features(args.bin, self.words_model, extra, workdir, "content")
            self.base.append(Dataset(names, per_extra, extra))
            self.documents += extra
        self.s1 = stage1_features(self.names)
        self.runs = 0

    def rows(self, page_numbers) -> np.ndarray:
        return np.isin(self.base.page, list(page_numbers))

    def stage1(self, page_numbers, seed: int) -> dict:
        rows = self.rows(page_numbers)
        x = self.base.columns(self.s1)
        model = train_trees(x[rows], self.base.y[rows], self.base.w[rows], self.args, self.args.trees, self.args.leaves, seed)
        return export_stage(model, self.s1, x[rows][:500])

    def stacked_rows(self, stage1_for: dict[int, dict], tag: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows of the documents of the pages in `stage1_for` (page number: its stage-1 model),
        with stacking features from that model."""
        xs, ys, ws = [], [], []
        by_model: dict[int, list[Page]] = {}
        models: dict[int, dict] = {}
        for document in self.documents:
            stage = stage1_for.get(document.source)
            if stage is not None:
                models[id(stage)] = stage
                by_model.setdefault(id(stage), []).append(document)
        jobs = []
        for key, documents in by_model.items():
            self.runs += 1
            path = write(self.workdir / f"stage1-{tag}-{self.runs}.json", model_json("fold", "", 0.5, [models[key]]))
            jobs.append((path, documents, f"{tag}-{self.runs}"))
        with ThreadPoolExecutor(self.args.jobs) as pool:
            results = list(pool.map(lambda job: run_features(self.args.bin, job[0], job[1], self.workdir, job[2]), jobs))
        for (path, documents, _), (names, per_page) in zip(jobs, results):
            assert names == self.names
            ds = Dataset(names, per_page, documents)
            xs.append(ds.columns(stage2_features(self.names)))
            ys.append(ds.y)
            ws.append(ds.w)
        return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)

    def two_stage(self, train: list[int], seed: int) -> list[dict]:
        """A two-stage model trained on the pages `train` (numbers)."""
        inner = folds([self.pages[n] for n in train], self.args.inner_folds, seed)
        stage1_for: dict[int, dict] = {}
        for f, held in enumerate(inner):
            held_numbers = [train[i] for i in held]
            others = [n for n in train if n not in set(held_numbers)]
            stage = self.stage1(others, seed + 1 + f)
            for n in held_numbers:
                stage1_for[n] = stage
        x2, y2, w2 = self.stacked_rows(stage1_for, f"inner{seed}")
        final1 = self.stage1(train, seed)
        s2 = stage2_features(self.names)
        model2 = train_trees(x2, y2, w2, self.args, self.args.trees2, self.args.leaves2, seed + 100)
        return [final1, export_stage(model2, s2, x2[:500])]

    def cross_validate(self, thresholds: list[float]) -> dict[float, dict[str, str]]:
        """Each page cleaned by a model trained without it, at each threshold."""
        k = self.args.folds
        parts = folds(self.pages, k, self.args.seed)
        outputs: dict[float, dict[str, str]] = {t: {} for t in thresholds}
        for f, held in enumerate(parts):
            train = [n for n in range(len(self.pages)) if n not in set(held)]
            stages = self.two_stage(train, self.args.seed + 1000 * (f + 1))
            for t in thresholds:
                path = write(self.workdir / f"cv-{f}-{t}.json", model_json("cv", "", t, stages))
                outputs[t].update(clean_pages(self.args.bin, [self.pages[n] for n in held], ["--model", str(path)]))
            print(f"  fold {f + 1}/{k} done", file=sys.stderr, flush=True)
        return outputs


def clean_pages(binary: str, pages: list[Page], options: list[str]) -> dict[str, str]:
    def one(page: Page) -> tuple[str, str]:
        out = subprocess.run([binary, "-j", "1", *options, str(page.path)], check=True, capture_output=True)
        return page.pid, out.stdout.decode("utf-8", "replace")

    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        return dict(pool.map(one, pages))


def score(pages: list[Page], outputs: dict[str, str]) -> tuple[float, float, float]:
    return metrics([match(p.gold_shingles, shingles(outputs[p.pid])) for p in pages])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/aeb-dev")
    parser.add_argument("--bin", default=str(REPO / "target/release/dechrome"))
    parser.add_argument("--out", type=Path, default=REPO / "crates/dechrome/data/model/lines.json")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--inner-folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--leaves", type=int, default=8)
    parser.add_argument("--trees2", type=int, default=100)
    parser.add_argument("--leaves2", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--threshold", type=float, default=0.35, help="the model's threshold")
    parser.add_argument("--cv-thresholds", type=lambda s: [float(t) for t in s.split(",") if t], default=[],
                        help="more thresholds to cross-validate, comma-separated")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed-pages", action=argparse.BooleanOptionalAction, default=True,
                        help="also train on the seed fixtures (default: yes; never scored)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True,
                        help="also train on each page's content lines alone (default: yes)")
    parser.add_argument("--worst", type=int, default=0, help="list the N pages that score worst in CV")
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--words-only", action="store_true")
    args = parser.parse_args()

    if args.words_only:
        write(args.out, words_only_model())
        print(f"wrote {args.out} (word lists, no trees)")
        return
    pages = load_pages(args.data, args.seed_pages)
    # Scores are those of the data set's pages, comparable with scripts/eval_quality.py.
    scored = [p for p in pages if p.path.parent == args.data]
    with tempfile.TemporaryDirectory(prefix="dechrome-train-") as tmp:
        trainer = Trainer(args, pages, Path(tmp))
        print(f"{len(pages)} pages ({len(scored)} scored), {len(trainer.base.y)} lines ({trainer.base.y.mean():.1%} content), "
              f"{len(trainer.names)} features", file=sys.stderr)
        if not args.no_cv:
            thresholds = sorted({args.threshold, *args.cv_thresholds})
            cv = trainer.cross_validate(thresholds)
            rules = clean_pages(args.bin, scored, ["--no-classifier"])
            raw = {p.pid: p.path.read_text(encoding="utf-8") for p in scored}
            print(f"\n{'':34} {'precision':>9} {'recall':>7} {'F1':>7}")
            rows = [("no cleaning", raw), ("rules only", rules)]
            rows += [(f"{args.folds}-fold CV, threshold {t}", cv[t]) for t in thresholds]
            for label, outputs in rows:
                p, r, f1 = score(scored, outputs)
                print(f"{label:34} {p:>9.4f} {r:>7.4f} {f1:>7.4f}")
            if args.worst:
                print(f"\npages scoring worst at threshold {args.threshold} (precision, recall, F1):")
                per_page = [(score([page], cv[args.threshold]), page.pid) for page in scored]
                for (p, r, f1), pid in sorted(per_page, key=lambda item: item[0][2])[: args.worst]:
                    print(f"  {pid}  {p:.3f} {r:.3f} {f1:.3f}")
        if args.cv_only:
            return
        stages = trainer.two_stage(list(range(len(pages))), args.seed)
        description = (
            f"Two stages of gradient-boosted trees ({args.trees}x{args.leaves}, {args.trees2}x{args.leaves2}) "
            f"trained by scripts/train_classifier.py on the {len(scored)} pages of {args.data.name}"
            + (f" and the {len(pages) - len(scored)} seed pages" if len(pages) > len(scored) else "")
        )
        write(args.out, model_json("dechrome-lines", description, args.threshold, stages))
        print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
