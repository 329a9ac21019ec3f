"""The opening sentence of an answer: the learned model, its tree reader, and the hand-set fallback."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

import chatbot.answer.lead as lead
from chatbot.answer.selection import Passage
from chatbot.search.query import understand
from chatbot.settings import SelectionSettings


def candidate(text: str, score: float, *, start: int = 0, section: str = "Treatment", opens: bool = False,
              position: int = -1, section_chars: int = 2000, similarity: float = 0.5, cue: float = 0.0) -> Passage:
    return Passage("a", "A", "", section, text, start, start + len(text), score, opens_section=opens,
                   position=position, section_chars=section_chars,
                   signals={"similarity": similarity, "overlap": 0.5, "chunk": 0.5, "links": 0.0, "cue": cue,
                            "section_cue": 1.0 if section == "Treatment" else 0.0})


def export(model: HistGradientBoostingClassifier) -> lead.Trees:
    """The trees as benchmarks/fit_lead.py writes them, read back."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from fit_lead import exported

    trees = json.loads(json.dumps(exported(model)))  # through JSON, as shipped
    return lead.Trees(trees["trees"], trees["base"])


def test_the_tree_reader_scores_as_scikit_learn_does():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 5))
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0.3)
    model = HistGradientBoostingClassifier(max_depth=3, max_iter=30, early_stopping=False, random_state=0).fit(x, y)
    rows = rng.normal(size=(50, 5))
    assert np.allclose(export(model).scores(rows), model.decision_function(rows))
    assert export(model).scores(np.zeros((0, 5))).shape == (0,)


def test_a_hand_written_tree_goes_left_at_or_below_its_threshold():
    stump = {"feature": [1, 0, 0], "threshold": [0.5, 0.0, 0.0], "left": [1, 0, 0], "right": [2, 0, 0],
             "leaf": [False, True, True], "value": [0.0, -1.0, 2.0], "missing_left": [True, False, False], "depth": 1}
    trees = lead.Trees([stump, stump], base=0.25, features=2)
    assert trees.scores(np.array([[9.0, 0.5], [9.0, 0.6], [9.0, np.nan]])).tolist() == [0.25 - 2.0, 0.25 + 4.0, 0.25 - 2.0]
    assert lead.Trees([{**stump, "missing_left": [False, False, False]}]).scores(np.array([[0.0, np.nan]])).tolist() == [2.0]


@pytest.mark.parametrize("broken, why", [
    (dict(left=[5, 0, 0]), "out of range"),                 # a child that is not a node
    (dict(left=[0, 0, 0]), "reached twice"),                # a loop back to the root
    (dict(feature=[7, 0, 0]), "splits on feature 7"),       # a feature the rows do not have
    (dict(value=[0.0, float("nan"), 2.0]), "finite"),       # a leaf without a value
    (dict(threshold=[float("inf"), 0.0, 0.0]), "finite"),
    (dict(leaf=[False, True]), "differ in length"),
])
def test_trees_that_do_not_hold_together_are_refused(broken, why):
    stump = {"feature": [1, 0, 0], "threshold": [0.5, 0.0, 0.0], "left": [1, 0, 0], "right": [2, 0, 0],
             "leaf": [False, True, True], "value": [0.0, -1.0, 2.0], "missing_left": [True, False, False], "depth": 1}
    with pytest.raises(ValueError, match=why):
        lead.Trees([{**stump, **broken}], features=2)
    with pytest.raises(ValueError, match="base"):
        lead.Trees([stump], base=float("nan"), features=2)
    with pytest.raises(ValueError, match="no trees"):
        lead.Trees([], features=2)


def test_scikit_learns_missing_values_go_where_the_fit_sent_them():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(600, 3))
    x[rng.random(x.shape) < 0.2] = np.nan
    y = np.nan_to_num(x[:, 0], nan=1.0) > 0
    model = HistGradientBoostingClassifier(max_depth=3, max_iter=20, early_stopping=False, random_state=0).fit(x, y)
    rows = rng.normal(size=(40, 3))
    rows[rng.random(rows.shape) < 0.3] = np.nan
    assert np.allclose(export(model).scores(rows), model.decision_function(rows))


def test_every_candidate_gets_one_row_of_every_feature():
    q = understand("how is lumbar tremor treated")
    pool = [candidate("Lumbar tremor is treated with physiotherapy and rest.", 1.0, opens=True, position=0),
            candidate("However, some people need medication for the tremor.", 0.9, start=100)]
    rows = lead.lead_features(q, pool)
    assert rows.shape == (2, len(lead.FEATURES))
    column = dict(zip(lead.FEATURES, rows.T))
    assert column["opens_section"].tolist() == [1.0, 0.0]
    assert column["leans_back"].tolist() == [0.0, 1.0]
    assert column["score_gap"].tolist() == pytest.approx([0.0, -0.1])
    assert column["early"].tolist() == [1.0, 0.0]


def test_the_shipped_model_reads_the_features_this_version_computes():
    lead.shipped_model.cache_clear()
    model = lead.shipped_model()
    assert model is not None
    assert json.loads(lead.MODEL_PATH.read_text())["features"] == list(lead.FEATURES)
    assert np.isfinite(model.scores(np.zeros((3, len(lead.FEATURES))))).all()


def test_the_learned_model_opens_with_the_answer_a_short_section_starts_with():
    """A question-and-answer page: the first sentence of the section the question is about is its
    answer, even where a sentence further down scores a little higher."""
    q = understand("What are the treatments for gout ?")
    later = candidate("Gout attacks can come back and need treatment with medicines again.", 1.02, start=300,
                      similarity=0.6, cue=1.0)
    opening = candidate("Treatment for gout includes medicines that lower uric acid and ease pain.", 1.0, start=100,
                        opens=True, position=0, section_chars=400, similarity=0.55, cue=1.0)
    others = [candidate(f"Gout is common in older men, study {i} found.", 0.8 - i / 100, start=600 + 80 * i,
                        section="Overview") for i in range(6)]
    chosen = lead.choose_lead(q, [later, opening, *others], SelectionSettings())
    assert chosen is opening
    assert lead.choose_lead(q, [later, opening, *others], SelectionSettings(lead="fixed")) is later


def test_a_missing_or_stale_model_falls_back_to_the_hand_set_rule(tmp_path, monkeypatch, caplog):
    q = understand("how is lumbar tremor treated")
    pool = [candidate("Lumbar tremor is treated with physiotherapy.", 1.0),
            candidate("Massage may help some people with tremor.", 0.9, start=100)]
    broken_tree = {"feature": [99, 0, 0], "threshold": [0.5, 0, 0], "left": [1, 0, 0], "right": [2, 0, 0],
                   "leaf": [False, True, True], "value": [0, 1, 2], "missing_left": [False] * 3, "depth": 1}
    for content in (None, json.dumps({"features": ["something", "else"], "trees": [], "base": 0}), "{\"features\": [",
                    json.dumps({"features": list(lead.FEATURES), "trees": [broken_tree], "base": 0})):
        path = tmp_path / "lead_model.json"
        if content is not None:
            path.write_text(content)
        monkeypatch.setattr(lead, "MODEL_PATH", path)
        lead.shipped_model.cache_clear()
        with caplog.at_level(logging.WARNING):
            assert lead.choose_lead(q, pool, SelectionSettings()) is pool[0]
        assert "hand-set rule" in caplog.text
        caplog.clear()
    lead.shipped_model.cache_clear()


def test_an_unknown_lead_setting_is_refused():
    with pytest.raises(ValueError, match="lead must be one of"):
        SelectionSettings(lead="magic")


def test_the_quotes_after_the_opening_weigh_the_models_chance_that_they_answer(monkeypatch):
    import chatbot.answer.selection as selection

    def unit(i: int) -> np.ndarray:
        vector = np.zeros(4)
        vector[i] = 1.0
        return vector

    opening = Passage("a", "A", "", "S", "Gout is treated with medicines that lower uric acid.", 0, 52, 1.0, vector=unit(0))
    likely = Passage("a", "A", "", "S", "Colchicine eases the pain of a gout attack quickly.", 100, 151, 0.9, vector=unit(1))
    unlikely = Passage("a", "A", "", "S", "Gout was known in ancient Egypt as a disease of kings.", 200, 254, 0.95,
                       vector=unit(2))
    monkeypatch.setattr(selection, "judged", lambda q, scored, s: (opening, {id(likely): 0.9, id(unlikely): 0.05}))
    q = understand("how is gout treated")
    budget = dict(max_sentences=2)
    assert selection._choose(q, [opening, unlikely, likely], SelectionSettings(**budget)) == [opening, likely]
    assert selection._choose(q, [opening, unlikely, likely], SelectionSettings(answer_chance=0.0, **budget)) == [opening, unlikely]


def test_what_is_x_opens_with_a_definition_of_x_when_there_is_one():
    q = understand("what is lumbar tremor")
    complication = candidate("Lumbar tremor, if not diagnosed in time and treated, can lead to complications.", 1.0,
                             opens=True, position=0, section="Complications", similarity=0.7)
    definition = candidate("Lower back tremor is an involuntary oscillatory movement of the lower back.", 0.6,
                           start=500, section="About", similarity=0.4)
    others = [candidate(f"Lumbar tremor treatment option {i} can help some people.", 0.9 - i / 50, start=900 + 80 * i)
              for i in range(6)]
    assert lead.choose_lead(q, [complication, *others, definition], SelectionSettings()) is definition
    assert lead.choose_lead(understand("how is lumbar tremor treated"), [complication, *others, definition],
                            SelectionSettings()) is not definition
