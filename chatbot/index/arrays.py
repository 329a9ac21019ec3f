"""Arrays on disk without holding them in memory: raw part files, .npy streams and .npz members.

A build appends each batch's rows to raw part files (``RawFile``) and at the end copies them
block by block into the index's ``.npy`` and ``.npz`` files (``write_npy``); a later build
reads back the rows it reuses by position (``NpzLayout.read``), never the whole array.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import numpy as np

BLOCK_BYTES = 4 * 2**20  # what one copy step reads into memory


class RawFile:
    """Rows of one dtype and row shape appended to a file (no header); ``rows`` counts them."""

    def __init__(self, path: Path, dtype: np.dtype | str, row_shape: tuple[int, ...] = ()) -> None:
        self.path, self.dtype, self.row_shape = path, np.dtype(dtype), row_shape
        self.rows = 0
        self._handle = path.open("wb")

    @property
    def row_bytes(self) -> int:
        return self.dtype.itemsize * int(np.prod(self.row_shape, dtype=np.int64))

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype).reshape((-1, *self.row_shape))
        self._handle.write(memoryview(rows).cast("B"))
        self.rows += len(rows)

    def close(self) -> None:
        self._handle.close()

    def blocks(self, rows_per_block: int | None = None) -> Iterator[np.ndarray]:
        """The rows in order, a block at a time (call after ``close``)."""
        per_block = rows_per_block or max(1, BLOCK_BYTES // max(self.row_bytes, 1))
        with self.path.open("rb") as f:
            for start in range(0, self.rows, per_block):
                count = min(per_block, self.rows - start)
                yield np.fromfile(f, dtype=self.dtype, count=count * int(np.prod(self.row_shape, dtype=np.int64))
                                  ).reshape((count, *self.row_shape))


def write_npy(out: BinaryIO, dtype: np.dtype | str, shape: tuple[int, ...], blocks: Iterable[np.ndarray]) -> None:
    """An .npy file of ``shape`` whose rows come from ``blocks`` (they must add up to ``shape[0]``)."""
    dtype = np.dtype(dtype)
    write_npy_header(out, dtype, shape)
    written = 0
    for block in blocks:
        block = np.ascontiguousarray(block, dtype=dtype)
        out.write(memoryview(block).cast("B"))  # no copy of the block
        written += len(block)
    if written != shape[0]:
        raise ValueError(f"wrote {written} rows of an array declared with {shape[0]}")


def write_npy_header(out: BinaryIO, dtype: np.dtype | str, shape: tuple[int, ...]) -> None:
    """The header of an .npy file; the caller writes its ``prod(shape)`` items after it, in C order."""
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": tuple(shape)}
    np.lib.format.write_array_header_1_0(out, header)


def write_npz(path: Path, members: dict[str, tuple[np.dtype | str, tuple[int, ...], Iterable[np.ndarray]]]) -> None:
    """An uncompressed .npz (as ``np.savez`` writes) whose arrays are streamed from blocks."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, (dtype, shape, blocks) in members.items():
            with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                write_npy(member, dtype, shape, blocks)


@dataclass(frozen=True)
class StoredArray:
    """Where an array's data starts in a file, and its dtype and shape."""

    path: Path
    offset: int
    dtype: np.dtype
    shape: tuple[int, ...]

    def map(self) -> np.ndarray:
        """The whole array, memory-mapped read-only (pages are shared by every process that maps the file).
        A plain ndarray over the mapping, not an ``np.memmap``: every slice of a memmap builds another
        memmap object, which cost answering most of a millisecond."""
        if not self.shape[0]:
            return np.zeros(self.shape, dtype=self.dtype)
        return np.asarray(np.memmap(self.path, dtype=self.dtype, mode="r", offset=self.offset, shape=self.shape))

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop``, read from the file (nothing else of the array is loaded)."""
        start, stop = max(0, start), min(stop, self.shape[0])
        row = self.dtype.itemsize * int(np.prod(self.shape[1:], dtype=np.int64))
        with self.path.open("rb") as f:
            f.seek(self.offset + start * row)
            data = np.fromfile(f, dtype=self.dtype, count=max(0, stop - start) * (row // self.dtype.itemsize))
        return data.reshape((-1, *self.shape[1:]))


def npz_arrays(path: Path) -> dict[str, StoredArray]:
    """The arrays of an uncompressed .npz, by name, located so that rows can be read by position."""
    arrays = {}
    with zipfile.ZipFile(path) as archive, path.open("rb") as f:
        for info in archive.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{path}: member {info.filename} is compressed")
            f.seek(info.header_offset)
            local = f.read(30)
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            f.seek(info.header_offset + 30 + name_length + extra_length)
            arrays[info.filename.removesuffix(".npy")] = _npy_at(f, path)
    return arrays


def npy_array(path: Path) -> StoredArray:
    with path.open("rb") as f:
        return _npy_at(f, path)


def _npy_at(f: BinaryIO, path: Path) -> StoredArray:
    version = np.lib.format.read_magic(f)
    reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = reader(f)
    if fortran_order or dtype.hasobject:
        raise ValueError(f"{path}: an array in Fortran order or of Python objects")
    return StoredArray(path, f.tell(), dtype, tuple(shape))
