"""Every tuning setting in one place: frozen records with documented defaults, passed in.

``ChunkSettings`` shape the index and are written into its manifest (a change rebuilds it);
``SearchSettings``, ``SelectionSettings`` and ``ScopeSettings`` shape each answer and are
written into every ``eval`` JSON, so a figure always says what it measured.  The defaults
were chosen on the dev sets with the scripts named beside them (see docs/retrieval.md);
tests and experiments pass other values instead of patching modules.

    from chatbot import Chatbot
    from chatbot.settings import Settings, SearchSettings
    bot = Chatbot.load("index", settings=Settings(search=SearchSettings(lexical=0.5)))
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# Limits on input, the same in the library, the command line, the HTTP API and the page.
MAX_QUESTION_CHARS = 2_000   # a question, or a search query, after whitespace is folded
# The largest article file an editor may upload to a running server (PUT /api/articles/{id}).
MAX_UPLOAD_BYTES = 20_000_000
MAX_K = 100                  # passages one search may return

# The choices of the named options, the same everywhere they are offered.
SEARCH_MODES = ("hybrid", "dense", "lexical")   # hybrid is the shipped search; the others its baselines
RANKERS = ("learned", "fixed")                  # how the hybrid search weighs its features
# How texts are run through the model: PyTorch (any device), or ONNX Runtime on the CPU, in
# float32 (the same vectors as PyTorch) or with int8 weights (slightly different vectors).
BACKENDS = ("torch", "onnx", "onnx-int8")


class _Record:
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """The record of a dict written by ``to_dict`` (keys this version does not know are ignored)."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class ChunkSettings(_Record):
    """How articles are cut and what text is embedded; stored in the index manifest."""

    # 700/150 measured best of 500, 700 and 1000 characters on the dev sets (docs/retrieval.md).
    chunk_size: int = 700
    overlap: int = 150
    # Prepend the article title and section heading to the embedded text (not to the chunk).
    embed_context: bool = True

    def __post_init__(self) -> None:
        if self.chunk_size < 50:
            raise ValueError(f"chunk_size must be at least 50 characters, got {self.chunk_size}")
        if not 0 <= self.overlap < self.chunk_size:
            raise ValueError(f"overlap must be between 0 and chunk_size-1 ({self.chunk_size - 1}), got {self.overlap}")


@dataclass(frozen=True)
class SearchSettings(_Record):
    """The hybrid search (``Retriever``): a weighted sum of features per candidate chunk.

    Chosen with ``benchmarks/bench_retrieval.py`` on both dev sets.
    """

    dense: float = 0.35            # cosine similarity of query and chunk, scaled over the candidates
    lexical: float = 0.35          # BM25, divided by the best candidate's
    sentence: float = 0.3          # the chunk's best sentence's cosine similarity, scaled
    section_opening: float = 0.15  # the chunk opens its section: where articles state the point
    section_cue: float = 0.06      # the section heading fits the kind of question ("Causes" for "what causes")
    heading_words: float = 0.1     # share of the section heading's words that the query uses
    title_fit: float = 0.1         # overlap (Jaccard) of the query's topic words and the article title's
    candidates: int = 100          # chunks each side (dense, BM25) brings
    sentence_candidates: int = 40  # best candidates whose sentences are compared with the query
    rerank_depth: int = 20         # hits a reranker (when one is given) reorders
    # "learned": the fitted weights of search/data/ranker.json (benchmarks/fit_ranker.py) replace the seven
    # above; "fixed": the seven above, the baseline and the fallback when the model file cannot be read.
    ranker: str = "learned"
    named_candidates: int = 300    # chunks of the articles a message names (its foci) added to the candidates

    def __post_init__(self) -> None:
        for name in ("candidates", "sentence_candidates", "rerank_depth"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.ranker not in RANKERS:
            raise ValueError(f"ranker must be one of {', '.join(RANKERS)}, got {self.ranker!r}")


@dataclass(frozen=True)
class SelectionSettings(_Record):
    """Which sentences of the retrieved passages make the answer (``answer.selection``)."""

    hits: int = 8                  # retrieved passages the sentences are chosen from
    max_sentences: int = 5
    relative_cutoff: float = 0.7   # keep candidates scoring at least this share of the best one
    similarity: float = 0.55       # weight of the cosine similarity with the question
    overlap: float = 0.3           # weight of the question's terms found (idf-weighted share)
    chunk: float = 0.6             # weight of the passage's own similarity with the question
    links: float = 0.1             # bonus for naming both X and Y of "can X cause Y"
    cue: float = 0.08              # bonus for a word that fits the kind of question
    section_cue: float = 0.1       # bonus for a section heading that fits it
    near_duplicate: float = 0.6    # word overlap (Jaccard) at which a sentence repeats a chosen one
    diversity: float = 0.3         # maximal marginal relevance: penalty per cosine similarity with a chosen quote
    # "learned": the opening sentence is chosen by the model of answer/data/lead_model.json (benchmarks/fit_lead.py);
    # "fixed": by the selection score plus the two bonuses below, the baseline and the fallback.
    lead: str = "learned"
    # Weight, in choosing the quotes after the opening, of the learned model's probability that a candidate holds
    # the answer. Chosen by a one-off sweep (0 to 4) of evidence in the answer on the two sets fit_lead.py fits on,
    # not on the reported sets: 2 over 0 added 0.04 to 0.05 there (docs/retrieval.md, "The opening sentence").
    answer_chance: float = 2.0
    lead_candidates: int = 8       # the best-scored candidates the hand-set rule chooses the opening sentence from
    # Bonuses of the hand-set rule (docs/retrieval.md, "The opening sentence").
    lead_answers_heading: float = 0.15  # the first answer to the question its section opens with
    lead_defines: float = 0.3      # for "what is X", a sentence that defines X
    min_sentence_chars: int = 25   # shorter sentences are not quoted on their own
    min_sentence_words: int = 5

    def __post_init__(self) -> None:
        if self.lead not in RANKERS:
            raise ValueError(f"lead must be one of {', '.join(RANKERS)}, got {self.lead!r}")


@dataclass(frozen=True)
class ScopeSettings(_Record):
    """When the articles do not answer a question (``answer.scope``; docs/safety.md, "Refusals").

    ``decision``: "learned", the model of answer/data/scope_model.json (``benchmarks/fit_scope.py``),
    or "fixed", the thresholds below on the best chunk's cosine similarity (the baseline, and the
    fallback when the model file is missing), chosen on the first calibration questions by a grid
    search (``benchmarks/fit_scope.py --fixed-grid``).
    """

    decision: str = "learned"
    threshold: float = 0.40           # the bar for a question in everyday words
    specific_threshold: float = 0.2   # when the question names a specialised term the articles use
    uncovered_penalty: float = 0.1    # per share of topic words the articles never use

    def __post_init__(self) -> None:
        if self.decision not in RANKERS:
            raise ValueError(f"decision must be one of {', '.join(RANKERS)}, got {self.decision!r}")


@dataclass(frozen=True)
class Settings(_Record):
    """The settings of answering: search, sentence selection and the scope decision."""

    search: SearchSettings = field(default_factory=SearchSettings)
    selection: SelectionSettings = field(default_factory=SelectionSettings)
    scope: ScopeSettings = field(default_factory=ScopeSettings)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Settings":
        return cls(search=SearchSettings.from_dict(data.get("search", {})),
                   selection=SelectionSettings.from_dict(data.get("selection", {})),
                   scope=ScopeSettings.from_dict(data.get("scope", {})))
