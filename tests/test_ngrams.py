"""The n-gram models score exactly as scikit-learn would (chatbot/ngrams.py)."""

from __future__ import annotations

import pytest

from chatbot.ngrams import NgramModel, char_grams, fit_ngram_model

TEXTS = ["Book now with our clinic", "Sciatica is nerve pain", "Call today for a free visit", "Rest helps most back pain",
         "Our team can help you today", "Tremor can run in families", "what causes sciatica", "how is gout treated",
         "why do my hands shake", "what helps a migraine", "what makes knees ache", "best treatment for eczema"]
PROBES = TEXTS + ["Our clinic says sciatica is common", "nothing known here at all", "", "a", "Sciatica?!"]


@pytest.mark.parametrize("chars", [False, True])
def test_binary_and_multiclass_models_match_scikit_learn(tmp_path, chars):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    for labels in (["ad", "fact"] * 3 + ["fact"] * 6, ["ad", "fact"] * 3 + ["causes", "treatment"] * 3):
        model = fit_ngram_model(TEXTS, labels, chars=chars, c=4.0)
        model.save(tmp_path / "model.json")
        loaded = NgramModel.load(tmp_path / "model.json")
        # the same fit, by hand, with scikit-learn alone
        options = dict(binary=True, use_idf=False, norm="l2")
        vectorizers = [TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b[\w']+\b", **options)]
        if chars:
            vectorizers.append(TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), **options))
        x = hstack([v.fit_transform(TEXTS) for v in vectorizers]).tocsr()
        fitted = LogisticRegression(C=4.0, max_iter=5000, class_weight="balanced").fit(x, labels)
        expected = fitted.predict_proba(hstack([v.transform(PROBES) for v in vectorizers]).tocsr())
        for probe, row in zip(PROBES, expected):
            got = loaded.probabilities(probe)
            # weights are stored to 5 decimals
            assert [got[c] for c in fitted.classes_] == pytest.approx([float(p) for p in row], abs=1e-3), probe


def test_char_grams_are_scikit_learns_char_wb():
    from sklearn.feature_extraction.text import CountVectorizer

    text = "Ab  tremors, a x-ray!"
    expected = set(CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit([text]).get_feature_names_out())
    assert char_grams(text) == expected
