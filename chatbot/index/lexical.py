"""BM25 over the indexed chunks, stored in the index folder beside the vectors.

The tokens of a chunk are the stemmed content words of its title, section heading and text,
the same words the dense model sees.  Scores are Lucene's BM25 (k1 = 1.5, b = 0.75):

    idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
    weight(t, d) = idf(t) · tf / (tf + k1 · (1 - b + b · |d| / avgdl))

Each build recomputes them from the stored chunks (their statistics depend on every chunk)
in two passes that hold one batch at a time: the first counts tokens and writes each
chunk's token ids and frequencies to a scratch file; the second turns them into a sparse
token -> chunk matrix of weights, a range of tokens at a time.  On disk (``bm25/``):

    vocab.json    the tokens, in id order
    params.json   k1, b, chunk count and mean length
    indptr.npy    token t's entries are rows indptr[t]:indptr[t + 1] of
    docs.npy      the chunks (increasing) in which it occurs, and
    weights.npy   its weight in each

A query's score for a chunk is the sum of the weights of its tokens there (a token the
query repeats counts each time).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Iterable

import numpy as np

from chatbot.index.arrays import RawFile, write_npy_header
from chatbot.text import lexical_tokens as _tokens
from chatbot.types import Chunk

FOLDER = "bm25"
K1, B = 1.5, 0.75
ENTRIES_PER_PASS = 500_000  # matrix entries gathered in memory at once (4 MB)
CHUNKS_PER_READ = 1_024     # chunks' postings read from the scratch files at once
_EMPTY = "__empty__"  # the token of a text without content words (kept so each chunk has a length)


def lexical_tokens(text: str) -> list[str]:
    """Stemmed, lower-cased content words: what BM25 matches on (``text.TOKENIZER_VERSION`` names the recipe)."""
    return _tokens(text, _EMPTY)


def chunk_tokens(chunk: Chunk) -> list[str]:
    return lexical_tokens(f"{chunk.title} {chunk.section} {chunk.text}")


class LexicalIndex:
    """BM25 scores of a query against every chunk."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray, docs: np.ndarray, weights: np.ndarray,
                 size: int) -> None:
        self._vocab, self._indptr, self._docs, self._weights = vocab, indptr, docs, weights
        self.size = size

    @classmethod
    def load(cls, folder: Path, *, mmap: bool = False) -> "LexicalIndex":
        mode = "r" if mmap else None
        tokens = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        params = json.loads((folder / "params.json").read_text(encoding="utf-8"))
        indptr = np.load(folder / "indptr.npy")
        docs, weights = (np.load(folder / name, mmap_mode=mode) for name in ("docs.npy", "weights.npy"))
        if not (len(indptr) == len(tokens) + 1 and len(docs) == len(weights) == indptr[-1]):
            raise ValueError("BM25 arrays of unexpected length")
        return cls({t: i for i, t in enumerate(tokens)}, indptr, docs, weights, int(params["chunks"]))

    def scores(self, query: str) -> np.ndarray:
        """One BM25 score per chunk (row order), zero where no query word occurs."""
        scores = np.zeros(self.size, dtype=np.float32)
        for token in lexical_tokens(query):
            column = self._vocab.get(token)
            if column is not None and token != _EMPTY:
                start, stop = self._indptr[column], self._indptr[column + 1]
                scores[self._docs[start:stop]] += self._weights[start:stop]  # a chunk occurs once per token
        return scores


def write_lexical(chunks: Iterable[Chunk], folder: Path) -> int:
    """Write the BM25 files of ``chunks`` (in row order) to ``folder``; returns the number of chunks."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".bm25-") as scratch:
        scratch = Path(scratch)
        postings = _Postings(scratch)
        for chunk in chunks:
            postings.add(chunk_tokens(chunk))
        postings.close()
        _write_matrix(postings, folder)
    (folder / "vocab.json").write_text(json.dumps(list(postings.vocab), ensure_ascii=False), encoding="utf-8")
    params = {"method": "lucene", "k1": K1, "b": B, "chunks": postings.sizes.rows, "mean_length": postings.mean_length}
    (folder / "params.json").write_text(json.dumps(params) + "\n", encoding="utf-8")
    return postings.sizes.rows


class _Postings:
    """Pass one: each chunk's distinct token ids and their counts, in scratch files; document frequencies."""

    def __init__(self, scratch: Path) -> None:
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.int64)
        self.ids, self.counts = RawFile(scratch / "ids", np.int32), RawFile(scratch / "counts", np.int32)
        self.sizes, self.lengths = RawFile(scratch / "sizes", np.int64), RawFile(scratch / "lengths", np.int32)
        self.total_length = 0

    def add(self, tokens: list[str]) -> None:
        ids = np.fromiter((self.vocab.setdefault(t, len(self.vocab)) for t in tokens), dtype=np.int32, count=len(tokens))
        distinct, counts = np.unique(ids, return_counts=True)
        if len(self.vocab) > len(self.df):
            self.df = np.concatenate([self.df, np.zeros(max(len(self.vocab), len(self.df)), dtype=np.int64)])
        self.df[distinct] += 1
        self.ids.append(distinct)
        self.counts.append(counts)
        self.sizes.append(np.array([len(distinct)]))
        self.lengths.append(np.array([len(tokens)]))
        self.total_length += len(tokens)

    def close(self) -> None:
        for raw in (self.ids, self.counts, self.sizes, self.lengths):
            raw.close()
        self.df = self.df[:len(self.vocab)]

    @property
    def mean_length(self) -> float:
        return self.total_length / self.sizes.rows if self.sizes.rows else 0.0

    def chunks(self):
        """(chunk rows, token ids, counts, chunk lengths) of every entry, a block of chunks at a time."""
        first, per_block = 0, CHUNKS_PER_READ
        for sizes, lengths, (ids, counts) in zip(self.sizes.blocks(per_block), self.lengths.blocks(per_block),
                                                 _paired_blocks(self.ids, self.counts, self.sizes.blocks(per_block))):
            rows = np.repeat(np.arange(first, first + len(sizes)), sizes)
            yield rows, ids, counts, np.repeat(lengths, sizes)
            first += len(sizes)


def _paired_blocks(ids: RawFile, counts: RawFile, sizes_blocks):
    with ids.path.open("rb") as f_ids, counts.path.open("rb") as f_counts:
        for sizes in sizes_blocks:
            entries = int(sizes.sum())
            yield np.fromfile(f_ids, dtype=np.int32, count=entries), np.fromfile(f_counts, dtype=np.int32, count=entries)


def _write_matrix(postings: _Postings, folder: Path) -> None:
    """Pass two: the weights grouped by token, each range of tokens gathered in one pass over the scratch files."""
    n, df = postings.sizes.rows, postings.df
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
    np.save(folder / "indptr.npy", indptr)
    with (folder / "docs.npy").open("wb") as docs_out, (folder / "weights.npy").open("wb") as weights_out:
        write_npy_header(docs_out, np.int32, (int(indptr[-1]),))
        write_npy_header(weights_out, np.float32, (int(indptr[-1]),))
        for first, last in _token_ranges(indptr, ENTRIES_PER_PASS):
            docs, weights = _gather(postings, first, last, indptr, idf)
            docs_out.write(memoryview(docs).cast("B"))
            weights_out.write(memoryview(weights).cast("B"))


def _token_ranges(indptr: np.ndarray, entries: int) -> list[tuple[int, int]]:
    """Consecutive token ranges of at most ``entries`` matrix entries each (or one token, if more)."""
    ranges, first, tokens = [], 0, len(indptr) - 1
    while first < tokens:
        last = int(np.searchsorted(indptr, indptr[first] + entries, side="right")) - 1
        last = min(max(last, first + 1), tokens)
        ranges.append((first, last))
        first = last
    return ranges


def _gather(postings: _Postings, first: int, last: int, indptr: np.ndarray,
            idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The chunk rows and weights of tokens ``first:last``, in matrix order."""
    base, cursor = indptr[first], indptr[first:last].copy()
    docs = np.empty(indptr[last] - base, dtype=np.int32)
    weights = np.empty(indptr[last] - base, dtype=np.float32)
    mean_length = postings.mean_length or 1.0
    for rows, ids, counts, lengths in postings.chunks():
        keep = np.flatnonzero((ids >= first) & (ids < last))
        keep = keep[np.argsort(ids[keep], kind="stable")]  # by token, chunks still in row order
        rows, ids, tf, lengths = rows[keep], ids[keep] - first, counts[keep].astype(np.float64), lengths[keep]
        seen = np.bincount(ids, minlength=last - first)
        slots = cursor[ids] + np.arange(len(ids)) - np.repeat(np.cumsum(seen) - seen, seen) - base
        docs[slots] = rows
        weights[slots] = idf[ids + first] * tf / (tf + K1 * (1 - B + B * lengths / mean_length))
        cursor += seen
    return docs, weights
