"""Write ``vectors.faiss`` from the raw vectors of a build, a block at a time.

``faiss.write_index`` needs the whole index in memory; these write the same bytes (the
tests compare them with FAISS's own) while holding one block of vectors, so a build's
memory does not grow with the corpus.  Both start from FAISS's own serialisation of an
empty index of the right kind and fill in the counts and the data:

* flat (exact): the 45-byte header of an ``IndexFlatIP`` with its vector count, then every
  vector in row order;
* IVF (approximate, above ``APPROXIMATE_ABOVE`` vectors): the header with the trained
  centroids, the direct map (row -> list and position, so stored vectors can be read back)
  and the inverted lists, each list's vectors followed by their row numbers.  The centroids
  are trained on the same sample ``build_vector_index`` uses, and each vector goes to the
  list FAISS would put it in (its nearest centroid), in row order.

If the empty index's bytes ever differ from the layout expected here (a FAISS that
serialises differently), the index is built in memory instead, with a warning.
"""

from __future__ import annotations

import logging
import math
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from chatbot.index.arrays import BLOCK_BYTES, RawFile
from chatbot.index import vectors
from chatbot.index.vectors import TRAINING_POINTS_PER_CENTROID, build_vector_index, describe

log = logging.getLogger(__name__)

_FLAT_HEADER = 37           # fourcc, d, ntotal, two dummies, is_trained, metric: then the code count
FLAT_DATA_OFFSET = _FLAT_HEADER + 8  # where a flat index's first vector starts
_EMPTY_IVF_TAIL = 41        # no direct map (type 0, empty array), then "ilar", nlist, code size, "sprs", no sizes


def write_vector_file(raw: RawFile, dimension: int, path: Path, *, approximate_above: int | None = None,
                      nprobe: int | None = None) -> dict[str, Any]:
    """Write the FAISS index of the vectors in ``raw`` to ``path``; returns its ``describe`` record.
    ``approximate_above`` and ``nprobe`` default to those of ``vectors``."""
    import faiss

    approximate_above = vectors.APPROXIMATE_ABOVE if approximate_above is None else approximate_above
    nprobe = vectors.NPROBE if nprobe is None else nprobe
    with path.open("wb") as out:
        if raw.rows <= approximate_above:
            if _write_flat(raw, dimension, out):
                return {"type": "flat", "exact": True}
        else:
            written = _write_ivf(raw, dimension, out, nprobe)
            if written:
                return written
    log.warning("This FAISS version serialises indexes differently; building %s in memory", path.name)
    rows = np.concatenate(list(raw.blocks())) if raw.rows else np.zeros((0, dimension), np.float32)
    index = build_vector_index(rows, dimension, approximate_above=approximate_above, nprobe=nprobe)
    faiss.write_index(index, str(path))
    return describe(index)


def _write_flat(raw: RawFile, dimension: int, out: BinaryIO) -> bool:
    import faiss

    empty = bytearray(faiss.serialize_index(faiss.IndexFlatIP(dimension)))
    if len(empty) != FLAT_DATA_OFFSET or empty[:4] != b"IxFI" or any(empty[8:16]) or any(empty[_FLAT_HEADER:]):
        return False
    empty[8:16] = struct.pack("<q", raw.rows)
    empty[_FLAT_HEADER:] = struct.pack("<Q", raw.rows * dimension)
    out.write(empty)
    for block in raw.blocks():
        out.write(memoryview(np.ascontiguousarray(block, dtype=np.float32)).cast("B"))
    return True


def _write_ivf(raw: RawFile, dimension: int, out: BinaryIO, nprobe: int) -> dict[str, Any] | None:
    import faiss

    n = raw.rows
    nlist = max(1, min(int(4 * math.sqrt(n)), n // TRAINING_POINTS_PER_CENTROID))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    index.train(_sample_rows(raw, min(n, nlist * TRAINING_POINTS_PER_CENTROID)))
    index.nprobe = nprobe
    empty = bytearray(faiss.serialize_index(index))
    tail = b"\x00" + struct.pack("<Q", 0) + b"ilar" + struct.pack("<QQ", nlist, dimension * 4) + b"sprs" + struct.pack("<Q", 0)
    if empty[:4] != b"IwFl" or any(empty[8:16]) or bytes(empty[-_EMPTY_IVF_TAIL:]) != tail:
        return None
    lists = np.concatenate([index.quantizer.assign(block, 1).ravel() for block in raw.blocks()]).astype(np.int64)
    sizes = np.bincount(lists, minlength=nlist)
    order = np.argsort(lists, kind="stable")  # rows grouped by list, in row order within each
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n) - starts[lists[order]]
    del empty[-_EMPTY_IVF_TAIL:]
    empty[8:16] = struct.pack("<q", n)
    out.write(empty)
    out.write(b"\x01" + struct.pack("<Q", n) + ((lists << 32) | position).astype("<i8").tobytes())  # direct map: array
    out.write(b"ilar" + struct.pack("<QQ", nlist, dimension * 4))
    non_empty = np.flatnonzero(sizes)
    if len(non_empty) > nlist // 2:
        out.write(b"full" + struct.pack("<Q", nlist) + sizes.astype("<u8").tobytes())
    else:
        pairs = np.column_stack([non_empty, sizes[non_empty]]).astype("<u8")
        out.write(b"sprs" + struct.pack("<Q", pairs.size) + pairs.tobytes())
    _write_lists(raw, dimension, out, lists, order, sizes)
    return {"type": "ivf-flat", "exact": False, "nlist": int(nlist), "nprobe": int(nprobe)}


def _write_lists(raw: RawFile, dimension: int, out: BinaryIO, lists: np.ndarray, order: np.ndarray,
                 sizes: np.ndarray) -> None:
    """Each list's vectors then its row numbers, gathering a range of lists per pass over ``raw``."""
    row_bytes = dimension * 4
    per_pass = max(1, BLOCK_BYTES * 8 // row_bytes)
    ends = np.cumsum(sizes)
    slot = np.empty(len(lists), dtype=np.int64)  # where each row goes among all lists' rows
    slot[order] = np.arange(len(lists))
    first = 0
    while first < len(sizes):
        base = int(ends[first - 1]) if first else 0
        last = max(first + 1, int(np.searchsorted(ends, base + per_pass, side="right")))
        last = min(last, len(sizes))
        gathered = np.empty((int(ends[last - 1]) - base, dimension), dtype=np.float32)
        row = 0
        for block in raw.blocks():
            picked = np.flatnonzero((lists[row:row + len(block)] >= first) & (lists[row:row + len(block)] < last))
            gathered[slot[row + picked] - base] = block[picked]
            row += len(block)
        for number in range(first, last):
            start, stop = (int(ends[number - 1]) if number else 0), int(ends[number])
            if stop > start:
                out.write(gathered[start - base:stop - base].tobytes())
                out.write(order[start:stop].astype("<i8").tobytes())
        first = last


def _sample_rows(raw: RawFile, size: int) -> np.ndarray:
    """The training sample of ``build_vector_index``: the same rows, read a block at a time."""
    wanted = np.sort(np.random.default_rng(0).choice(raw.rows, size=size, replace=False))
    picked, row = [], 0
    for block in raw.blocks():
        inside = wanted[(wanted >= row) & (wanted < row + len(block))] - row
        picked.append(block[inside])
        row += len(block)
    return np.concatenate(picked)
