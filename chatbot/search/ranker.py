"""How much each feature of a candidate chunk counts: learned weights, or the hand-set ones.

The learned ranker is a logistic regression over the features of ``search.features`` (fitted by
``benchmarks/fit_ranker.py`` on questions built from MedQuAD and on the dev sets, validated
with folds by question and by article; see docs/retrieval.md, "The learned ranker").  A linear
model keeps the search as it was, a weighted sum per candidate, only with the weights fitted:
``data/ranker.json`` holds them, the feature list, what they were fitted on and the
cross-validated figures.  ``SearchSettings(ranker="fixed")`` uses the hand-set weights of
``SearchSettings`` instead, the fallback and the baseline; so does a missing or unreadable
model file, with a warning.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path

from chatbot.settings import SearchSettings

MODEL_PATH = Path(__file__).parent / "data" / "ranker.json"
# The hand-set search's features, then those only the learned ranker weighs.
FIXED_FEATURES = ("dense", "lexical", "sentence", "section_opening", "section_cue", "heading_words", "title_fit")
FEATURES = FIXED_FEATURES + ("title_cover", "named", "article_dense")

log = logging.getLogger(__name__)


def ranking_weights(settings: SearchSettings) -> dict[str, float]:
    """The weight of each feature for ``settings``: the shipped model's, or the hand-set ones."""
    if settings.ranker == "learned":
        model = shipped_model()
        if model is not None:
            return dict(model["weights"])
    return {name: float(getattr(settings, name)) for name in FIXED_FEATURES}


def ranker_record(settings: SearchSettings) -> dict:
    """What ranks the candidates, for manifests and eval reports: which ranker and the model's checksum."""
    model = shipped_model() if settings.ranker == "learned" else None
    if model is None:
        return {"ranker": "fixed"}
    return {"ranker": "learned", "model": MODEL_PATH.name, "sha256": model_checksum()}


@functools.lru_cache(maxsize=1)
def model_checksum() -> str:
    return hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=1)
def shipped_model() -> dict | None:
    """The fitted model (``data/ranker.json``), or None (with a warning) if it is missing or does not fit this code."""
    try:
        model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        weights = model["weights"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("The learned ranker %s could not be read (%s); using the hand-set weights. "
                    "Refit it with: python benchmarks/fit_ranker.py", MODEL_PATH, error)
        return None
    unknown = set(weights) - set(FEATURES)
    if unknown or not isinstance(weights, dict) or not all(isinstance(w, (int, float)) for w in weights.values()):
        log.warning("The learned ranker %s weighs features this version does not compute (%s); using the hand-set "
                    "weights. Refit it with: python benchmarks/fit_ranker.py", MODEL_PATH, ", ".join(sorted(unknown)))
        return None
    return model
