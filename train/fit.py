"""Fit winnow's pipeline: out-of-fold stacking with folds grouped by site.

Each stage is trained on out-of-fold outputs of the stage before it (lexical scores -> stage 1
-> stage 2 -> title), so what a stage learns from matches what it will see on a new site. The
same folds give the cross-validated figures and the operating thresholds; the final models are
then fitted on everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
from sklearn.linear_model import SGDClassifier

from winnow.lexical import BITS, LexicalScorer
from winnow.model import KIND_LABELS, WinnowModel
from winnow.stages import (
    LEXICAL_HEADS,
    PAGE_TYPES,
    PROFILE_FEATURES,
    STAGE1_FEATURES,
    STAGE2_FEATURES,
    page_profile,
    stage1_matrix,
    stage2_matrix,
    uncertain,
)
from winnow.title import TITLE_FEATURES, LineScores, body_start, title_candidates, title_matrix
from winnow.train.dataset import COPY_RENDERS, stable_hash
from winnow.train.matrices import Matrices
from winnow.trees import predict

Progress = Callable[[str], None]


@dataclass
class TrainConfig:
    """Everything that changes a model; copied into its card."""

    seed: int = 0
    folds: int = 4
    corpus_weights: dict[str, float] = field(
        default_factory=lambda: {"ko-hand": 4.0, "labels": 2.0}
    )
    stage1_rounds: int = 250
    stage2_rounds: int = 100
    title_rounds: int = 100
    kind_rounds: int = 20
    page_type_rounds: int = 60
    learning_rate: float = 0.08
    num_leaves: int = 31
    lexical_alpha: float = 2e-6
    threads: int = 2
    crop_max_lines: int = 80  # cropped copies of articles this short (0: none; see dataset)

    def lgb_params(self, **extra) -> dict:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": 40,
            "feature_fraction": 0.7,
            "bagging_fraction": 0.7,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "max_bin": 127,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.threads,
            "verbosity": -1,
            **extra,
        }


@dataclass
class OutOfFold:
    """Cross-validated outputs of every stage, one value per row (or per page for titles)."""

    fold_of_page: np.ndarray
    lex: np.ndarray
    p1: np.ndarray
    p2: np.ndarray
    kinds: np.ndarray
    title_row: np.ndarray  # per page: chosen row within the page, -1 for none
    title_prob: np.ndarray
    thresholds: dict[str, float] = field(default_factory=dict)
    title_threshold: float = 0.5
    relative_cut: float = 0.0
    page_type: np.ndarray | None = None  # per page: page-type probabilities
    profiles: np.ndarray | None = None


# ---- lexical -----------------------------------------------------------------------------
def _sgd(config: TrainConfig) -> SGDClassifier:
    return SGDClassifier(
        loss="log_loss",
        alpha=config.lexical_alpha,
        max_iter=6,
        tol=None,
        random_state=config.seed,
    )


def fit_lexical(m: Matrices, rows: np.ndarray, config: TrainConfig) -> LexicalScorer:
    """One content head over all rows, one head per boilerplate kind over fully labelled rows."""
    weights = np.zeros((1 << BITS, len(LEXICAL_HEADS)), dtype=np.float32)
    bias = np.zeros(len(LEXICAL_HEADS), dtype=np.float32)
    use = rows[m.w_content[rows] > 0]
    clf = _sgd(config).fit(m.ngrams[use], m.y_content[use], sample_weight=m.w_content[use])
    weights[:, 0], bias[0] = clf.coef_[0], clf.intercept_[0]
    labelled = rows[m.y_kind[rows] >= 0]
    full_pages = np.unique(m.page_of_row[labelled])
    kind_rows = rows[np.isin(m.page_of_row[rows], full_pages)]
    for h, label in enumerate(LEXICAL_HEADS[1:], start=1):
        target = (m.labels[kind_rows] == label).astype(np.int8)
        if target.min() == target.max():
            continue
        clf = _sgd(config).fit(m.ngrams[kind_rows], target)
        weights[:, h], bias[h] = clf.coef_[0], clf.intercept_[0]
    return LexicalScorer(weights.astype(np.float16), bias, LEXICAL_HEADS)


def lexical_scores(m: Matrices, scorer: LexicalScorer, rows: np.ndarray) -> np.ndarray:
    w = scorer.weights.astype(np.float32)
    return (m.ngrams[rows] @ w + scorer.bias).astype(np.float32)


# ---- stages ------------------------------------------------------------------------------
def _per_page(m: Matrices, pages: np.ndarray, build) -> np.ndarray:
    return np.concatenate([build(k, m.rows(k)) for k in pages])


def stage1_rows(m: Matrices, pages: np.ndarray, lex: np.ndarray) -> np.ndarray:
    return _per_page(m, pages, lambda k, r: stage1_matrix(m.base[r], lex[r]))


def stage2_rows(m: Matrices, pages: np.ndarray, oof: OutOfFold) -> tuple[np.ndarray, np.ndarray]:
    """(row indices, stage-2 matrix) of these pages' lines that stage 1 is unsure of: the only
    lines stage 2 re-scores when serving, so the only ones it is trained and scored on."""
    rows, xs = [], []
    for k in pages:
        r = m.rows(k)
        redo = uncertain(oof.p1[r])
        x1 = stage1_matrix(m.base[r], oof.lex[r])
        rows.append(np.arange(r.start, r.stop)[redo])
        xs.append(stage2_matrix(oof.p1[r], x1, oof.page_type[k], redo))
    return np.concatenate(rows), np.concatenate(xs)


def page_profiles(m: Matrices, oof: OutOfFold) -> np.ndarray:
    return np.concatenate(
        [
            page_profile(stage1_matrix(m.base[m.rows(k)], oof.lex[m.rows(k)]), oof.p1[m.rows(k)])
            for k in range(m.n_pages)
        ]
    )


def page_type_labels(m: Matrices) -> np.ndarray:
    index = {t: i for i, t in enumerate(PAGE_TYPES)}
    return np.array([index.get(e.page_type, 0) for e in m.examples], dtype=np.int32)


def fit_page_type(profiles: np.ndarray, labels: np.ndarray, config: TrainConfig):
    data = dataset(profiles, labels, None, PROFILE_FEATURES)
    params = {
        "objective": "multiclass",
        "num_class": len(PAGE_TYPES),
        "num_leaves": 15,
        "min_data_in_leaf": 10,
    }
    return fit_booster(data, config.page_type_rounds, config, **params)


def dataset(x: np.ndarray, y: np.ndarray, w: np.ndarray | None, names) -> lgb.Dataset:
    return lgb.Dataset(x, label=y, weight=w, feature_name=list(names), free_raw_data=True)


def fit_booster(data: lgb.Dataset, rounds: int, config: TrainConfig, **params) -> lgb.Booster:
    return lgb.train(config.lgb_params(**params), data, num_boost_round=rounds)


def _pages_of(m: Matrices, fold_of_page: np.ndarray, fold: int, train: bool) -> np.ndarray:
    return np.flatnonzero((fold_of_page != fold) if train else (fold_of_page == fold))


def title_examples(m: Matrices, pages, oof: OutOfFold, threshold: float):
    """Candidate matrices of `pages`, with the candidate rows and their T labels."""
    xs, ys, cands = [], [], []
    for k in pages:
        r = m.rows(k)
        start = body_start(oof.p2[r], threshold)
        cand = title_candidates(r.stop - r.start, start)
        scores = LineScores(m.base[r], oof.lex[r], oof.p1[r], oof.p2[r])
        xs.append(title_matrix(m.pages[k], cand, start, scores))
        ys.append(m.y_title[r][cand])
        cands.append(cand)
    return xs, ys, cands


def _title_trainable(m: Matrices, pages: np.ndarray) -> np.ndarray:
    has_t = np.array([m.y_title[m.rows(k)].any() for k in pages], dtype=bool)
    return pages[has_t]


def whole_pages(m: Matrices) -> np.ndarray:
    """The pages as labelled, without the cropped copies training adds (see dataset)."""
    return np.array([e.page.render not in COPY_RENDERS for e in m.examples], dtype=bool)


def _corpus_populations(m: Matrices) -> list[np.ndarray]:
    """Per corpus, its whole pages: the populations the operating points are chosen on. The
    cropped copies help the models learn; they do not vote on where to cut."""
    corpus_names = np.array([e.corpus for e in m.examples])
    whole = whole_pages(m)
    return [np.flatnonzero((corpus_names == c) & whole) for c in np.unique(corpus_names[whole])]


def pick_thresholds(m: Matrices, p: np.ndarray) -> dict[str, float]:
    """The cuts maximising character-weighted F-beta (0.5, 1, 2 for precision, balanced,
    recall), averaged per page, then per corpus: each corpus is a population of its own, so
    the biggest one does not choose the operating point for the others."""
    use = m.w_content > 0
    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    chars, y, page = m.chars[use], m.y_content[use].astype(bool), m.page_of_row[use]
    corpora = _corpus_populations(m)
    n = m.n_pages
    best = {}
    for mode, beta in (("precision", 0.5), ("balanced", 1.0), ("recall", 2.0)):
        b2 = beta * beta
        scores = []
        for t in grid:
            keep = p[use] >= t
            tp = np.bincount(page, weights=chars * (keep & y), minlength=n)
            fp = np.bincount(page, weights=chars * (keep & ~y), minlength=n)
            fn = np.bincount(page, weights=chars * (~keep & y), minlength=n)
            denom = (1 + b2) * tp + b2 * fn + fp
            f = np.where(denom > 0, (1 + b2) * tp / np.maximum(denom, 1e-9), 1.0)
            scores.append(np.mean([f[pages].mean() for pages in corpora]))
        best[mode] = float(grid[int(np.argmax(scores))])
    return best


def pick_relative_cut(m: Matrices, p: np.ndarray, threshold: float) -> float:
    """The page-relative cut (see winnow.article.keep_mask) with the best per-corpus mean F1."""
    from winnow.article import keep_mask

    use = m.w_content > 0
    corpora = _corpus_populations(m)
    best, best_score = 0.0, -1.0
    for cut in (0.0, 0.4, 0.5, 0.6):
        keep = np.concatenate([keep_mask(p[m.rows(k)], threshold, cut) for k in range(m.n_pages)])
        y, w, page = m.y_content == 1, m.chars * use, m.page_of_row
        tp = np.bincount(page, weights=w * (keep & y), minlength=m.n_pages)
        fp = np.bincount(page, weights=w * (keep & ~y), minlength=m.n_pages)
        fn = np.bincount(page, weights=w * (~keep & y), minlength=m.n_pages)
        f = np.where(tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1e-9), 1.0)
        score = np.mean([f[pages].mean() for pages in corpora])
        if score > best_score + 1e-4:
            best, best_score = cut, score
    return best


def _title_threshold(m: Matrices, pages, picks, probs) -> float:
    """The cut on the best candidate's probability that maximises title F1 over pages."""
    has_t = np.array([m.y_title[m.rows(k)].any() for k in pages])
    correct = np.array(
        [picks[k] >= 0 and m.y_title[m.rows(k)][picks[k]] == 1 for k in pages], dtype=bool
    )
    best, best_f = 0.5, -1.0
    for t in np.arange(0.05, 0.95, 0.025):
        chosen = probs[pages] >= t
        tp = np.sum(chosen & correct)
        prec = tp / max(np.sum(chosen & has_t), 1)
        rec = tp / max(np.sum(has_t), 1)
        f = 2 * prec * rec / max(prec + rec, 1e-9)
        if f > best_f:
            best, best_f = float(t), f
    return best


def site_folds(corpora: list[str], groups: list[str], folds: int) -> np.ndarray:
    """Each page's fold: every corpus's sites dealt out on their own, largest first (ties by
    a hash of the site's name), each to the fold holding fewest of that corpus's pages.

    So every fold holds about a quarter of each corpus, small ones included (a stable hash of
    the site alone put 10 of ko-hand's 20 pages in one fold, whose model then trained on the
    other 10 only), and adding pages to one corpus moves no site of another: a labelling round
    in data/labels leaves the shared corpora's folds, and so their figures, comparable. A site
    in several corpora stays where its first corpus (by name) put it. With so few sites that
    a fold would stay empty, ties go to the emptiest fold overall instead.
    """
    fold_of = _deal_sites(corpora, groups, folds, balance_overall=False)
    if len(set(fold_of.values())) < min(folds, len(fold_of)):
        fold_of = _deal_sites(corpora, groups, folds, balance_overall=True)
    return np.array([fold_of[g] for g in groups], dtype=np.int16)


def _deal_sites(corpora, groups, folds: int, balance_overall: bool) -> dict[str, int]:
    fold_of: dict[str, int] = {}
    total = [0] * folds
    for corpus in sorted(set(corpora)):
        sizes = Counter(
            g for c, g in zip(corpora, groups, strict=True) if c == corpus and g not in fold_of
        )
        load = [0] * folds
        start = stable_hash(corpus) % folds  # which fold an empty corpus fills first
        order = [(f - start) % folds for f in range(folds)]
        for group in sorted(sizes, key=lambda g: (-sizes[g], stable_hash(g))):
            ties = total if balance_overall else order
            fold = min(range(folds), key=[(load[f], ties[f]) for f in range(folds)].__getitem__)
            fold_of[group] = fold
            load[fold] += sizes[group]
            total[fold] += sizes[group]
    return fold_of


def cross_validate(m: Matrices, config: TrainConfig, progress: Progress) -> OutOfFold:
    fold_of_page = site_folds(
        [e.corpus for e in m.examples], [e.group for e in m.examples], config.folds
    )
    n = len(m.y_content)
    lex = np.zeros((n, len(LEXICAL_HEADS)), dtype=np.float32)
    p1, p2 = np.zeros(n), np.zeros(n)
    oof = OutOfFold(
        fold_of_page,
        lex,
        p1,
        p2,
        np.zeros((n, len(KIND_LABELS))),
        np.full(m.n_pages, -1),
        np.zeros(m.n_pages),
        page_type=np.zeros((m.n_pages, len(PAGE_TYPES))),
    )
    for f in range(config.folds):
        train_rows = m.page_rows(_pages_of(m, fold_of_page, f, True))
        test_rows = m.page_rows(_pages_of(m, fold_of_page, f, False))
        lex[test_rows] = lexical_scores(m, fit_lexical(m, train_rows, config), test_rows)
        progress(f"lexical fold {f + 1}/{config.folds}")
    for f in range(config.folds):
        train_p, test_p = _pages_of(m, fold_of_page, f, True), _pages_of(m, fold_of_page, f, False)
        tr, te = m.page_rows(train_p), m.page_rows(test_p)
        x = stage1_rows(m, train_p, lex)
        data = dataset(x, m.y_content[tr], m.w_content[tr], STAGE1_FEATURES)
        booster = fit_booster(data, config.stage1_rounds, config)
        p1[te] = predict(booster, stage1_rows(m, test_p, lex), config.threads)
        progress(f"stage 1 fold {f + 1}/{config.folds}")
    oof.profiles, types = page_profiles(m, oof), page_type_labels(m)
    whole = whole_pages(m)  # a cropped copy's profile is not a page's
    for f in range(config.folds):
        train_p, test_p = _pages_of(m, fold_of_page, f, True), _pages_of(m, fold_of_page, f, False)
        pages = train_p[whole[train_p]]
        booster = fit_page_type(oof.profiles[pages], types[pages], config)
        oof.page_type[test_p] = booster.predict(oof.profiles[test_p])
    for f in range(config.folds):
        train_p, test_p = _pages_of(m, fold_of_page, f, True), _pages_of(m, fold_of_page, f, False)
        tr, x = stage2_rows(m, train_p, oof)
        data = dataset(x, m.y_content[tr], m.w_content[tr], STAGE2_FEATURES)
        booster = fit_booster(data, config.stage2_rounds, config)
        te, x = stage2_rows(m, test_p, oof)
        p2[te] = predict(booster, x, config.threads)
        progress(f"stage 2 fold {f + 1}/{config.folds}")
    sure = ~uncertain(p1)
    p2[sure] = p1[sure]  # as at serving time: stage 2 only re-scores uncertain lines
    oof.thresholds = pick_thresholds(m, p2)
    oof.relative_cut = pick_relative_cut(m, p2, oof.thresholds["balanced"])
    _cross_validate_titles(m, oof, config)
    progress("titles")
    _cross_validate_kinds(m, oof, config)
    progress("kinds")
    return oof


def _cross_validate_titles(m: Matrices, oof: OutOfFold, config: TrainConfig) -> None:
    cut = oof.thresholds["balanced"]
    for f in range(config.folds):
        train_p = _title_trainable(m, _pages_of(m, oof.fold_of_page, f, True))
        booster = fit_title(m, train_p, oof, config)
        test_p = _pages_of(m, oof.fold_of_page, f, False)
        xs, _, cands = title_examples(m, test_p, oof, cut)
        for k, x, cand in zip(test_p, xs, cands, strict=True):
            if len(cand):
                pt = predict(booster, x, config.threads)
                best = int(np.argmax(pt))
                oof.title_row[k], oof.title_prob[k] = cand[best], pt[best]
    oof.title_threshold = _title_threshold(
        m, np.flatnonzero(whole_pages(m)), oof.title_row, oof.title_prob
    )


def fit_title(m: Matrices, pages: np.ndarray, oof: OutOfFold, config: TrainConfig) -> lgb.Booster:
    xs, ys, _ = title_examples(m, pages, oof, oof.thresholds["balanced"])
    data = dataset(np.concatenate(xs), np.concatenate(ys), None, TITLE_FEATURES)
    return fit_booster(data, config.title_rounds, config)


KIND_FEATURES = [*STAGE1_FEATURES, "p2"]


def _kind_matrix(m: Matrices, pages: np.ndarray, oof: OutOfFold) -> np.ndarray:
    x1 = stage1_rows(m, pages, oof.lex)
    return np.concatenate([x1, oof.p2[m.page_rows(pages)][:, None]], axis=1)


def fit_kinds(m: Matrices, pages: np.ndarray, oof: OutOfFold, config: TrainConfig):
    """Multiclass B/C/M/N/L/A/S/X over the fully labelled pages (None without enough)."""
    rows = m.page_rows(pages)
    use = m.y_kind[rows] >= 0
    if use.sum() < 50:
        return None
    data = dataset(_kind_matrix(m, pages, oof)[use], m.y_kind[rows][use], None, KIND_FEATURES)
    params = {"objective": "multiclass", "num_class": len(KIND_LABELS), "num_leaves": 7}
    return fit_booster(data, config.kind_rounds, config, **params)


def _cross_validate_kinds(m: Matrices, oof: OutOfFold, config: TrainConfig) -> None:
    oof.kinds[:, -1] = 1.0  # "X" where no kind model can say more
    for f in range(config.folds):
        booster = fit_kinds(m, _pages_of(m, oof.fold_of_page, f, True), oof, config)
        if booster is None:
            continue
        test_p = _pages_of(m, oof.fold_of_page, f, False)
        x = _kind_matrix(m, test_p, oof)
        oof.kinds[m.page_rows(test_p)] = predict(booster, x, config.threads)


def fit_final(m: Matrices, oof: OutOfFold, config: TrainConfig, progress: Progress) -> WinnowModel:
    """Every stage on all pages, each trained on the out-of-fold outputs of the one before."""
    everything = np.arange(m.n_pages)
    lexical = fit_lexical(m, np.arange(len(m.y_content)), config)
    progress("final lexical")
    x1 = stage1_rows(m, everything, oof.lex)
    stage1 = fit_booster(
        dataset(x1, m.y_content, m.w_content, STAGE1_FEATURES), config.stage1_rounds, config
    )
    progress("final stage 1")
    rows, x2 = stage2_rows(m, everything, oof)
    data = dataset(x2, m.y_content[rows], m.w_content[rows], STAGE2_FEATURES)
    stage2 = fit_booster(data, config.stage2_rounds, config)
    progress("final stage 2")
    title = fit_title(m, _title_trainable(m, everything), oof, config)
    kinds = fit_kinds(m, everything, oof, config)
    whole = whole_pages(m)
    page_type = fit_page_type(oof.profiles[whole], page_type_labels(m)[whole], config)
    progress("final title and kinds")
    thresholds = dict(oof.thresholds)
    return WinnowModel(
        lexical,
        stage1,
        stage2,
        title,
        kinds,
        page_type,
        thresholds,
        oof.title_threshold,
        oof.relative_cut,
    )
