"""The learned red-flag detector: logistic regression over character and word n-grams.

One binary model per flag (a message can raise two), fitted with scikit-learn on the labelled
messages in ``benchmarks/data/triage/train/`` by ``python benchmarks/fit_triage.py``, which
also cross-validates it and chooses each flag's threshold on the held-out folds.  Features are
hashed, so nothing but the weights is stored: character n-grams (2-5, within words) carry
misspellings ("numbnes", "cant pee") and the five other languages; word uni- and bigrams carry
phrasing.  The fitted weights ship in ``chatbot/triage/data/triage_model.npz`` with the flag list,
thresholds and a digest of the data they were fitted on.

Scoring a few clauses costs well under a millisecond, so every message and every earlier turn
is read in full.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.triage.context import unmarked

MODEL_PATH = Path(__file__).parent / "data" / "triage_model.npz"
N_FEATURES = 2**16
FORMAT = 4  # 4: dense weights, the flag heads in float16
CRISIS_FLAG = "self_harm"
CLAUSE_NEEDS_WHOLE = 0.15  # the whole message's alarm probability a clause read alone also needs
CRISIS_NEEDS_ALARM = 0.2  # the alarm probability a crisis also needs (chosen on the train part's cross-validation)


def _vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    # each row is scaled to unit length by ``_unit_rows``: scikit-learn's own normalising checked the input's
    # type (pandas, narwhals) on every call, half the time of a message
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=N_FEATURES, alternate_sign=False,
                              norm=None, lowercase=True)
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False,
                              norm=None, lowercase=True, token_pattern=r"(?u)\b[\w']+\b")
    return chars, words


def _unit_rows(x):
    """``x`` (CSR) with every non-empty row scaled to unit Euclidean length, in place."""
    counts = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), counts)
    lengths = np.sqrt(np.bincount(rows, weights=x.data ** 2, minlength=x.shape[0]))
    x.data /= lengths[rows]  # only rows with values are divided: an empty row has no data
    return x


@lru_cache(maxsize=1)
def _cached_vectorizers():
    return _vectorizers()


def features(texts: Sequence[str]):
    """Sparse feature rows (characters, then words) of normalised texts."""
    from sklearn import config_context

    chars, words = _cached_vectorizers()
    # negated words (``neg_fever``) count as words only: their letters would read as the finding itself
    plain = [unmarked(t) for t in texts]
    # the vectorizers' settings are fixed above: checking them on every call cost more than hashing a message
    with config_context(skip_parameter_validation=True, assume_finite=True):
        return _side_by_side(_unit_rows(chars.transform(plain)), _unit_rows(words.transform(texts)))


def _side_by_side(left, right):
    """The CSR matrix whose rows are ``left``'s and ``right``'s rows joined (``scipy.sparse.hstack``
    without its checks, which cost more than hashing a short message)."""
    from scipy.sparse import csr_matrix

    n = left.shape[0]
    left_counts, right_counts = np.diff(left.indptr), np.diff(right.indptr)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(left_counts + right_counts, out=indptr[1:])
    # where each stored value goes: its row's start, plus its place in the row (the right's after the left's)
    left_at = np.repeat(indptr[:-1] - left.indptr[:-1], left_counts) + np.arange(left.nnz)
    right_at = np.repeat(indptr[:-1] + left_counts - right.indptr[:-1], right_counts) + np.arange(right.nnz)
    data = np.empty(left.nnz + right.nnz, dtype=np.float64)
    indices = np.empty(left.nnz + right.nnz, dtype=np.int32)
    data[left_at], data[right_at] = left.data, right.data
    indices[left_at], indices[right_at] = left.indices, right.indices + left.shape[1]
    return csr_matrix((data, indices, indptr), shape=(n, left.shape[1] + right.shape[1]))


@dataclass(frozen=True)
class Reading:
    """What the learned detector made of a message's units: the flags of each, the highest alarm
    probability among them and the crisis probability of the whole."""

    flags: list[set[str]]
    alarm: float
    crisis: float


@dataclass(frozen=True)
class TriageModel:
    """Three heads over the same features: ``alarm`` (is any red flag present?), ``flag`` (which one,
    given one is) and ``crisis`` (self-harm or suicide, against everything else).  A text raises
    the flags whose share reaches ``flag_floor`` when its alarm probability reaches
    ``alarm_threshold``, and ``self_harm`` when its crisis probability reaches ``crisis_threshold``:
    a missed crisis costs the most, so that head has its own, lower bar.  A clause read on its own
    (``detect`` with ``whole``) must reach ``clause_threshold``: a message of many clauses has as
    many chances to raise a false alarm."""

    flags: tuple[str, ...]
    alarm_coef: np.ndarray      # (features,)
    alarm_intercept: float
    flag_coef: "object"         # (features, flags): dense once loaded, sparse when just fitted
    flag_intercept: np.ndarray  # (flags,)
    crisis_coef: np.ndarray | None = None  # (features,)
    crisis_intercept: float = -30.0
    alarm_threshold: float = 0.5
    flag_floor: float = 0.3
    crisis_threshold: float = 0.5
    meta: dict | None = None
    clause_threshold: float | None = None  # the alarm bar for a clause read on its own (None: alarm_threshold)
    foreign_threshold: float | None = None  # the alarm bar for a message not in English (None: assess's default)

    def alarm(self, x) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(np.asarray(x @ self.alarm_coef).ravel() + self.alarm_intercept)))

    def crisis(self, x) -> np.ndarray:
        if self.crisis_coef is None:
            return np.zeros(x.shape[0])
        return 1.0 / (1.0 + np.exp(-(np.asarray(x @ self.crisis_coef).ravel() + self.crisis_intercept)))

    def flag_shares(self, x) -> np.ndarray:
        """Each flag's one-vs-rest probability, normalised over the flags."""
        product = x @ self.flag_coef
        product = product.toarray() if hasattr(product, "toarray") else np.asarray(product)
        scores = 1.0 / (1.0 + np.exp(-(product + self.flag_intercept)))
        return scores / np.maximum(scores.sum(axis=1, keepdims=True), 1e-9)

    def detect(self, texts: Sequence[str], *, whole: int | None = None) -> list[set[str]]:
        """The flags raised by each text.  ``whole``: the index of the one text that is a whole message
        (the others are its clauses); the crisis head, fitted on whole messages, reads only that one."""
        return self.read(texts, whole=whole).flags

    def read(self, texts: Sequence[str], *, whole: int | None = None) -> "Reading":
        """``detect``'s flags with the highest alarm probability of the texts and the crisis probability of
        the whole (of every text when ``whole`` is None)."""
        if not texts:
            return Reading([], 0.0, 0.0)
        x = features(texts)
        alarm = self.alarm(x)
        found: list[set[str]] = [set() for _ in texts]
        bar = np.full(len(texts), self.alarm_threshold)
        if whole is not None and self.clause_threshold is not None:
            # a clause alone alarms at its own bar, and only where the whole message is not plainly ordinary
            bar[:] = self.clause_threshold if alarm[whole % len(texts)] >= CLAUSE_NEEDS_WHOLE else np.inf
            bar[whole % len(texts)] = self.alarm_threshold
        raised = np.flatnonzero(alarm >= bar)
        if len(raised):
            for i, row in zip(raised, self.flag_shares(x[raised])):
                best = int(row.argmax())
                found[i] = {self.flags[best]} | {f for f, s in zip(self.flags, row) if s >= self.flag_floor}
        rows = np.arange(len(texts)) if whole is None else np.array([whole % len(texts)])
        # both heads must see something: text the model knows nothing of sits near the crisis head's bar
        crisis = self.crisis(x)[rows]
        agree = (crisis >= self.crisis_threshold) & (alarm[rows] >= CRISIS_NEEDS_ALARM)
        for i in rows[agree]:
            found[i].add(CRISIS_FLAG)
        return Reading(found, float(alarm.max()), float(crisis.max()))

    def with_thresholds(self, alarm_threshold: float, flag_floor: float, crisis_threshold: float | None = None,
                        clause_threshold: float | None = None) -> "TriageModel":
        crisis = self.crisis_threshold if crisis_threshold is None else crisis_threshold
        clause = self.clause_threshold if clause_threshold is None else clause_threshold
        return dataclasses.replace(self, alarm_threshold=alarm_threshold, flag_floor=flag_floor, crisis_threshold=crisis,
                                   clause_threshold=clause)

    def save(self, path: str | Path = MODEL_PATH) -> None:
        """Write the weights: the alarm and crisis heads as float32, the flag heads as float16 (they only choose
        which flag among those raised: rounding them moves no alarm), all dense and compressed (~4 MB)."""
        flag = self.flag_coef.toarray() if hasattr(self.flag_coef, "toarray") else np.asarray(self.flag_coef)
        crisis = self.crisis_coef if self.crisis_coef is not None else np.zeros_like(self.alarm_coef)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**(self.meta or {}), "flags": list(self.flags), "format": FORMAT, "alarm_threshold": self.alarm_threshold,
                "flag_floor": self.flag_floor, "alarm_intercept": self.alarm_intercept,
                "crisis_threshold": self.crisis_threshold, "crisis_intercept": self.crisis_intercept,
                "clause_threshold": self.clause_threshold, "foreign_threshold": self.foreign_threshold}
        np.savez_compressed(path, alarm=np.asarray(self.alarm_coef, dtype=np.float32),
                            crisis=np.asarray(crisis, dtype=np.float32), flag=flag.astype(np.float16),
                            flag_intercept=self.flag_intercept.astype(np.float32), meta=np.array(json.dumps(meta)))


@lru_cache(maxsize=2)
def load_model(path: str | Path = MODEL_PATH) -> TriageModel:
    """The shipped model (cached: loaded once per process)."""
    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(str(stored["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path} is triage model format {meta.get('format')}, expected {FORMAT}: "
                             "run python benchmarks/fit_triage.py")
        alarm = stored["alarm"].astype(np.float64)
        crisis = stored["crisis"].astype(np.float64)
        # dense in memory (features x flags, ~22 MB of float64): a sparse row times a dense matrix is the fast product,
        # in C order (scipy copies a Fortran-ordered matrix on every product: 9 ms a call)
        flag = np.ascontiguousarray(stored["flag"], dtype=np.float64)
        if not (alarm.shape == crisis.shape == (flag.shape[0],) == (2 * N_FEATURES,) and flag.shape[1] == len(meta["flags"])):
            raise ValueError(f"{path} holds weights of mismatched shapes: run python benchmarks/fit_triage.py")
        return TriageModel(tuple(meta["flags"]), alarm, float(meta["alarm_intercept"]), flag, stored["flag_intercept"],
                           crisis, float(meta["crisis_intercept"]), float(meta["alarm_threshold"]),
                           float(meta["flag_floor"]), float(meta["crisis_threshold"]), meta, meta.get("clause_threshold"),
                           meta.get("foreign_threshold"))


def fit(texts: Sequence[str], labels: Sequence[set[str]], flags: Sequence[str], *, c: float = 64.0) -> TriageModel:
    """Fit the three heads: balanced binary logistic regressions for the alarm and for a crisis
    (self-harm against every other message), and one-vs-rest ones over the flags of the messages
    that have some (a message with two flags counts once for each)."""
    from scipy.sparse import csc_matrix
    from sklearn.linear_model import LogisticRegression

    x = features(texts)
    alarm = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")
    alarm.fit(x, np.array([bool(label) for label in labels], dtype=int))
    rows, targets = [], []
    for i, label in enumerate(labels):
        for flag in sorted(label):
            rows.append(i)
            targets.append(flags.index(flag))
    positives, targets = x[rows], np.array(targets)
    coef = np.zeros((x.shape[1], len(flags)))
    intercept = np.full(len(flags), -30.0)  # a flag with no example is never chosen
    for k in range(len(flags)):  # one-vs-rest among the messages that have a flag
        if 0 < (targets == k).sum() < len(targets):
            head = LogisticRegression(C=c, max_iter=3000, solver="liblinear").fit(positives, (targets == k).astype(int))
            coef[:, k], intercept[k] = head.coef_[0], head.intercept_[0]
    coef[np.abs(coef) < 1e-4] = 0.0  # the hashed space is mostly unused: zeros compress well
    alarm_coef = alarm.coef_[0].copy()
    alarm_coef[np.abs(alarm_coef) < 1e-4] = 0.0
    crisis = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear")
    crisis.fit(x, np.array([CRISIS_FLAG in label for label in labels], dtype=int))
    crisis_coef = crisis.coef_[0].copy()
    crisis_coef[np.abs(crisis_coef) < 1e-4] = 0.0
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    return TriageModel(tuple(flags), alarm_coef, float(alarm.intercept_[0]), csc_matrix(coef), intercept,
                       crisis_coef, float(crisis.intercept_[0]), meta={"examples": len(texts), "data_sha256_16": digest, "C": c})
