"""The learned red-flag detector: logistic regression over character and word n-grams.

One binary model per flag (a message can raise two), fitted with scikit-learn on the labelled
messages in ``benchmarks/data/triage/train/`` by ``python benchmarks/fit_triage.py``, which
also cross-validates it and chooses each flag's threshold on the held-out folds.  Features are
hashed, so nothing but the weights is stored: character n-grams (2-5, within words) carry
misspellings ("numbnes", "cant pee") and the five other languages; word uni- and bigrams carry
phrasing.  The fitted weights ship in ``chatbot/data/triage_model.npz`` with the flag list,
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

MODEL_PATH = Path(__file__).parent / "data" / "triage_model.npz"
N_FEATURES = 2**16
FORMAT = 2


def _vectorizers():
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=N_FEATURES, alternate_sign=False,
                              norm="l2", lowercase=True)
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), n_features=N_FEATURES, alternate_sign=False,
                              norm="l2", lowercase=True, token_pattern=r"(?u)\b[\w']+\b")
    return chars, words


@lru_cache(maxsize=1)
def _cached_vectorizers():
    return _vectorizers()


def features(texts: Sequence[str]):
    """Sparse feature rows (characters, then words) of normalised texts."""
    from scipy.sparse import hstack

    chars, words = _cached_vectorizers()
    return hstack([chars.transform(texts), words.transform(texts)]).tocsr()


@dataclass(frozen=True)
class TriageModel:
    """Two heads over the same features: ``alarm`` (is any red flag present?) and ``flag`` (which one,
    given one is).  A text raises the flags whose share reaches ``flag_floor`` when its alarm
    probability reaches ``alarm_threshold``."""

    flags: tuple[str, ...]
    alarm_coef: np.ndarray      # (features,)
    alarm_intercept: float
    flag_coef: "object"         # (features, flags): dense once loaded, sparse when just fitted
    flag_intercept: np.ndarray  # (flags,)
    alarm_threshold: float = 0.5
    flag_floor: float = 0.3
    meta: dict | None = None

    def alarm(self, x) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(np.asarray(x @ self.alarm_coef).ravel() + self.alarm_intercept)))

    def flag_shares(self, x) -> np.ndarray:
        """Each flag's one-vs-rest probability, normalised over the flags."""
        product = x @ self.flag_coef
        product = product.toarray() if hasattr(product, "toarray") else np.asarray(product)
        scores = 1.0 / (1.0 + np.exp(-(product + self.flag_intercept)))
        return scores / np.maximum(scores.sum(axis=1, keepdims=True), 1e-9)

    def detect(self, texts: Sequence[str]) -> list[set[str]]:
        """The flags raised by each text."""
        if not texts:
            return []
        x = features(texts)
        alarm = self.alarm(x)
        found: list[set[str]] = [set() for _ in texts]
        raised = np.flatnonzero(alarm >= self.alarm_threshold)
        if len(raised):
            for i, row in zip(raised, self.flag_shares(x[raised])):
                best = int(row.argmax())
                found[i] = {self.flags[best]} | {f for f, s in zip(self.flags, row) if s >= self.flag_floor}
        return found

    def with_thresholds(self, alarm_threshold: float, flag_floor: float) -> "TriageModel":
        return dataclasses.replace(self, alarm_threshold=alarm_threshold, flag_floor=flag_floor)

    def save(self, path: str | Path = MODEL_PATH) -> None:
        from scipy.sparse import csc_matrix

        flag = csc_matrix(self.flag_coef)
        nz = np.flatnonzero(self.alarm_coef)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**(self.meta or {}), "flags": list(self.flags), "format": FORMAT, "alarm_threshold": self.alarm_threshold,
                "flag_floor": self.flag_floor, "alarm_intercept": self.alarm_intercept}
        np.savez_compressed(path, alarm_index=nz.astype(np.int32), alarm_value=self.alarm_coef[nz].astype(np.float32),
                            data=flag.data.astype(np.float32), indices=flag.indices, indptr=flag.indptr,
                            shape=np.array(flag.shape), flag_intercept=self.flag_intercept.astype(np.float32),
                            meta=np.array(json.dumps(meta)))


@lru_cache(maxsize=2)
def load_model(path: str | Path = MODEL_PATH) -> TriageModel:
    """The shipped model (cached: loaded once per process)."""
    from scipy.sparse import csc_matrix

    with np.load(path, allow_pickle=False) as stored:
        meta = json.loads(str(stored["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{path} is triage model format {meta.get('format')}, expected {FORMAT}: "
                             "run python benchmarks/fit_triage.py")
        alarm = np.zeros(int(stored["shape"][0]))
        alarm[stored["alarm_index"]] = stored["alarm_value"]
        # dense in memory (features x flags, ~22 MB of float64): a sparse row times a dense matrix is the fast product
        flag = csc_matrix((stored["data"], stored["indices"], stored["indptr"]), shape=tuple(stored["shape"])).toarray().astype(np.float64)
        return TriageModel(tuple(meta["flags"]), alarm, float(meta["alarm_intercept"]), flag, stored["flag_intercept"],
                           float(meta["alarm_threshold"]), float(meta["flag_floor"]), meta)


def fit(texts: Sequence[str], labels: Sequence[set[str]], flags: Sequence[str], *, c: float = 16.0) -> TriageModel:
    """Fit both heads: a balanced binary logistic regression for the alarm, and one-vs-rest ones over the
    flags of the messages that have some (a message with two flags counts once for each)."""
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
    coef[np.abs(coef) < 1e-4] = 0.0  # the hashed space is mostly unused: store it sparse
    alarm_coef = alarm.coef_[0].copy()
    alarm_coef[np.abs(alarm_coef) < 1e-4] = 0.0
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    return TriageModel(tuple(flags), alarm_coef, float(alarm.intercept_[0]), csc_matrix(coef), intercept,
                       meta={"examples": len(texts), "data_sha256_16": digest, "C": c})
