"""Read and write the index folder.

Layout (plain files, no pickle):
    manifest.json   format version, model, chunking settings, one content hash per article,
                    counts, file checksums, UTC times; written last
    vectors.faiss   the FAISS index; row i is the vector of chunk i
    chunks.jsonl    line i is chunk i (article id, title, url, section, text, offsets, where its section starts)
    sentences.npz   the sentence spans of every chunk and a vector for each (see SentenceTable)
    bm25/           BM25 weights of the chunks' words (see lexical.py: json and npy files)

A build writes a complete new folder beside the old one (``new_index``: rows appended batch
by batch, see writer.py) and swaps it in with one atomic rename (``publish``), so a crash at
any point leaves either the old or the new index in force.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import logging
import os
import shutil
import sys
import uuid
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from chatbot.errors import IndexFormatError, IndexNotFoundError
from chatbot.files import file_sha256, fsync, fsync_dir
from chatbot.index.lexical import FOLDER as LEXICAL, LexicalIndex
from chatbot.index.sentences import SentenceTable
from chatbot.index.writer import CHUNKS, FORMAT_VERSION, MANIFEST, SENTENCES, VECTORS, IndexWriter, read_chunks
from chatbot.types import Chunk

log = logging.getLogger(__name__)

# Format 5 differs only in its BM25 files: a build reuses its vectors and rewrites the rest.
UPGRADABLE_FORMATS = (5,)

@dataclass
class StoredIndex:
    """An index as read from disk: the manifest, the FAISS index and the chunk of each row."""

    manifest: dict[str, Any]
    faiss_index: Any
    chunks: list[Chunk]
    lexical: LexicalIndex
    sentences: SentenceTable

    def vectors(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Stored vectors: row i for chunk i; all of them, or those of ``rows``."""
        if rows is not None:
            return self.faiss_index.reconstruct_batch(np.asarray(rows, dtype=np.int64))
        n = self.faiss_index.ntotal
        if n == 0:
            return np.zeros((0, self.faiss_index.d), dtype=np.float32)
        return self.faiss_index.reconstruct_n(0, n)


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def tokenizer_version(manifest: dict[str, Any]) -> int:
    """The BM25 tokenizer version an index was built with (indexes from before it was recorded: 1)."""
    return int(manifest.get("lexical", {}).get("tokenizer_version", 1))


def rebuild_hint(index_dir: str | Path) -> str:
    return f"Run: python -m chatbot build --index {index_dir}"


def read_manifest(index_dir: str | Path, *, upgradable: bool = False) -> dict[str, Any]:
    """The parsed manifest; raises if the index is missing or its manifest unreadable.
    With ``upgradable``, a manifest of an older format that a build can reuse is accepted too."""
    index_dir = Path(index_dir)
    _recover_interrupted_swap(index_dir)
    path = index_dir / MANIFEST
    if not path.is_file():
        why = "folder missing" if not index_dir.exists() else f"{MANIFEST} missing"
        raise IndexNotFoundError(f"No index at '{index_dir}/' ({why}). {rebuild_hint(index_dir)}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexFormatError(f"{path} is unreadable ({exc}). {rebuild_hint(index_dir)}") from None
    formats = (FORMAT_VERSION, *UPGRADABLE_FORMATS) if upgradable else (FORMAT_VERSION,)
    if not isinstance(manifest, dict) or manifest.get("format_version") not in formats:
        found = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise IndexFormatError(
            f"{path} has index format {found!r}; this version reads format {FORMAT_VERSION}. {rebuild_hint(index_dir)}"
        )
    model = manifest.get("model")
    if not (isinstance(model, dict) and {"name", "dimension", "backend"} <= set(model)
            and isinstance(manifest.get("articles"), dict) and isinstance(manifest.get("chunking"), dict)):
        raise IndexFormatError(f"{path} lacks the model, chunking or article records of format {FORMAT_VERSION} "
                               f"(damaged or edited). {rebuild_hint(index_dir)}")
    return manifest


def damage(index_dir: str | Path, manifest: dict[str, Any]) -> str:
    """What is wrong with the files of an index whose manifest reads: a file missing or not matching its
    checksum ("" when every file is as the build wrote it).  ``build`` rebuilds a damaged index in full."""
    index_dir = Path(index_dir)
    files = manifest.get("files", {})
    for name in sorted({VECTORS, CHUNKS, SENTENCES} | set(files)):
        path = index_dir / name
        if not path.is_file():
            return f"{path} is missing"
        if files.get(name, {}).get("sha256") != file_sha256(path):
            return f"{path} does not match its checksum in {MANIFEST} (damaged or edited)"
    return ""


def load_index(index_dir: str | Path, *, mmap: bool = True) -> StoredIndex:
    """Read and check an index folder: every file present, checksums and counts agreeing.

    With ``mmap`` (the default) the vectors, sentence vectors and BM25 weights are memory-mapped
    read-only rather than read: several server processes on one index share their pages, and a
    build that swaps in a new folder leaves the mapped (deleted) files readable until reloaded."""
    import faiss

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    expected = manifest.get("counts", {}).get("chunks")
    problem = damage(index_dir, manifest)
    if problem:
        raise IndexFormatError(f"{problem}. {rebuild_hint(index_dir)}")
    try:
        faiss_index = faiss.read_index(str(index_dir / VECTORS), _faiss_flags(manifest) if mmap else 0)
    except RuntimeError as exc:
        raise IndexFormatError(f"{index_dir / VECTORS} is not a readable FAISS index ({exc}). {rebuild_hint(index_dir)}") from None
    try:
        chunks = list(read_chunks(index_dir / CHUNKS))
    except IndexFormatError as exc:
        raise IndexFormatError(f"{exc}. {rebuild_hint(index_dir)}") from None
    try:
        lexical = LexicalIndex.load(index_dir / LEXICAL, mmap=mmap)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # json and numpy errors are ValueErrors
        raise IndexFormatError(f"{index_dir / LEXICAL} is not readable ({exc}). {rebuild_hint(index_dir)}") from None
    try:
        sentences = SentenceTable.load(index_dir / SENTENCES, mmap=mmap)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise IndexFormatError(f"{index_dir / SENTENCES} is not readable ({exc}). {rebuild_hint(index_dir)}") from None
    dimension = manifest.get("model", {}).get("dimension")
    sentences_fit = len(sentences.offsets) == len(chunks) + 1 and sentences.dimension == dimension
    if not (faiss_index.ntotal == len(chunks) == expected == lexical.size) or faiss_index.d != dimension or not sentences_fit:
        raise IndexFormatError(
            f"Index at '{index_dir}/' is inconsistent: manifest says {expected} chunks of dimension {dimension}, "
            f"{VECTORS} has {faiss_index.ntotal} of dimension {faiss_index.d}, {CHUNKS} has {len(chunks)} lines, "
            f"{LEXICAL}/ has {lexical.size} documents, {SENTENCES} covers {len(sentences.offsets) - 1} chunks. "
            f"{rebuild_hint(index_dir)}"
        )
    return StoredIndex(manifest=manifest, faiss_index=faiss_index, chunks=chunks, lexical=lexical, sentences=sentences)


def _faiss_flags(manifest: dict[str, Any]) -> int:
    import faiss

    mapped = faiss.IO_FLAG_MMAP_IFC if manifest.get("vector_index", {}).get("type", "flat") == "flat" else faiss.IO_FLAG_MMAP
    return mapped | faiss.IO_FLAG_READ_ONLY


def write_index(index_dir: str | Path, manifest: dict[str, Any], vectors: np.ndarray, chunks: list[Chunk],
                sentences: SentenceTable) -> dict[str, Any]:
    """Write an index of rows held in memory and swap it in (``new_index`` and ``publish`` in one step);
    returns the manifest as written."""
    manifest = dict(manifest)
    articles = manifest.pop("articles", {})
    with new_index(index_dir, int(manifest["model"]["dimension"])) as writer:
        writer.add(chunks, vectors, sentences)
        for article_id, record in articles.items():
            writer.add_article(article_id, record)
        return {**publish(writer, index_dir, manifest), "articles": articles}


@contextmanager
def new_index(index_dir: str | Path, dimension: int) -> Iterator[IndexWriter]:
    """A writer of a new folder beside ``index_dir``; the folder is deleted unless ``publish`` swapped it in.
    Call under ``build_lock`` so two builds never interleave."""
    index_dir = Path(index_dir)
    _recover_interrupted_swap(index_dir)
    tmp = index_dir.parent / f".{index_dir.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        yield IndexWriter(tmp, dimension)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def publish(writer: IndexWriter, index_dir: str | Path, manifest: dict[str, Any], **vector_options: Any) -> dict[str, Any]:
    """Finish the writer's folder, add the manifest and swap it in atomically.  Returns the manifest as
    written, without its ``articles`` (their records come from ``writer.add_article``, and go to the file
    one at a time).

    The caller provides the manifest's content; this fills in the articles, counts, checksums, build id
    and times.
    """
    tmp = writer.folder
    description = writer.finish(**vector_options)
    data_files = [VECTORS, CHUNKS, SENTENCES] + sorted(p.relative_to(tmp).as_posix() for p in (tmp / LEXICAL).iterdir())
    manifest = {
        **manifest,
        "format_version": FORMAT_VERSION,
        "build_id": uuid.uuid4().hex,
        "updated_at": utc_now(),
        "counts": {"articles": writer.article_count, "chunks": writer.rows},
        "vector_index": description,
        "files": {name: {"sha256": file_sha256(tmp / name), "bytes": (tmp / name).stat().st_size} for name in data_files},
    }
    _write_manifest(tmp / MANIFEST, manifest, writer.articles())
    writer.close()
    for name in data_files + [MANIFEST]:
        fsync(tmp / name)
    _swap_in(tmp, Path(index_dir))
    return manifest


def _write_manifest(path: Path, manifest: dict[str, Any], articles: Iterator[tuple[str, dict[str, Any]]]) -> None:
    """``manifest`` with an ``articles`` object at its end, written as ``json.dump(..., indent=2)`` would
    write it, one article at a time: a big corpus's manifest is never held whole."""
    head = json.dumps({**manifest, "articles": None}, indent=2, ensure_ascii=False)  # ends in 'null\n}'
    with path.open("w", encoding="utf-8") as f:
        f.write(head[:-len("null\n}")])
        separator = "{"
        for article_id, record in articles:
            body = json.dumps(record, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            f.write(f"{separator}\n    {json.dumps(article_id, ensure_ascii=False)}: {body}")
            separator = ","
        f.write("{}\n}\n" if separator == "{" else "\n  }\n}\n")


@contextmanager
def build_lock(index_dir: str | Path) -> Iterator[None]:
    """Hold an exclusive lock for ``index_dir`` so builds (across processes) run one at a time."""
    index_dir = Path(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(index_dir.parent / f".{index_dir.name}.lock", "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("Another build of %s is running; waiting for it to finish", index_dir)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(index_dir: str | Path) -> None:
    """Delete temporary folders that a killed build left beside ``index_dir``."""
    index_dir = Path(index_dir)
    _recover_interrupted_swap(index_dir)
    for leftover in index_dir.parent.glob(f".{index_dir.name}.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _old_path(index_dir: Path) -> Path:
    return index_dir.parent / f".{index_dir.name}.old"


def _swap_in(new: Path, index_dir: Path) -> None:
    if not index_dir.exists():
        os.rename(new, index_dir)
    elif _exchange(new, index_dir):
        shutil.rmtree(new)  # `new` now holds the previous index
    else:
        # No atomic exchange on this system: two renames, and a reader or the next build
        # puts the old folder back if a crash falls between them.
        old = _old_path(index_dir)
        shutil.rmtree(old, ignore_errors=True)
        os.rename(index_dir, old)
        os.rename(new, index_dir)
        shutil.rmtree(old, ignore_errors=True)
    fsync_dir(index_dir.parent)


def _recover_interrupted_swap(index_dir: Path) -> None:
    old = _old_path(index_dir)
    if old.exists() and not index_dir.exists():
        log.warning("Restoring the previous index from %s (a build was interrupted)", old)
        os.rename(old, index_dir)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
