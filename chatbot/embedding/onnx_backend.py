"""Embed with ONNX Runtime instead of PyTorch: the same model, exported here, 2-4x faster on a CPU.

The ONNX file is exported once from the local sentence-transformers folder (no download) into
a cache folder, ``$CHATBOT_CACHE_DIR`` or ``~/.cache/chatbot``, named by the weights' sha256.
``onnx-int8`` is the same graph with its weights quantised to 8-bit integers (per channel,
dynamic activations).  Running needs only onnxruntime and tokenizers; exporting needs torch.

Pooling and normalisation follow the model folder's own ``modules.json``; models that pool
other than by mean or [CLS] token need ``--backend torch``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from chatbot.embedding.spans import SpanVectors, pool_spans
from chatbot.errors import ModelError
from chatbot.files import file_sha256, replace_atomically

log = logging.getLogger(__name__)

EXPORT_VERSION = 1  # bump when the export or quantisation recipe changes
ONNX_OPSET = 17


def cache_dir() -> Path:
    """Where exported ONNX files are kept (``$CHATBOT_CACHE_DIR``, else ``~/.cache/chatbot``)."""
    if os.environ.get("CHATBOT_CACHE_DIR"):
        return Path(os.environ["CHATBOT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "chatbot"


class OnnxEmbedder:
    """A sentence-transformers model folder run by ONNX Runtime; rows are unit length if the model normalises."""

    # Texts run through the model together, sorted by length: up to BATCH_SIZE texts and
    # TOKEN_BUDGET tokens (padding included) per run.  The budget bounds ONNX Runtime's memory
    # arena whatever the texts: 64 texts of the maximum 256 tokens in one run took the process
    # to 1.3 GB, 8 of them (2,048 tokens) to 384 MiB, 4 to 270-290 MiB and 2 (512) to 240-250
    # MiB, at the same speed (small runs suit a CPU's caches); short texts still go 32 at a time.
    BATCH_SIZE = 32
    TOKEN_BUDGET = 512

    def __init__(self, model_dir: str | Path, name: str, *, quantized: bool = False, batch_size: int = BATCH_SIZE,
                 threads: int | None = None) -> None:
        model_dir = Path(model_dir)
        self.name = name
        self.backend = "onnx-int8" if quantized else "onnx"
        self.batch_size = batch_size
        self._pooling, self._normalize, max_length = _read_config(model_dir)
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"The {self.backend} backend needs onnxruntime: pip install onnxruntime ({exc})") from exc
        tokenizer_file = model_dir / "tokenizer.json"
        if not tokenizer_file.is_file():
            raise ModelError(f"{model_dir} has no tokenizer.json, which the {self.backend} backend needs; use --backend torch")
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.no_padding()
        path = exported_model(model_dir, quantized=quantized)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        if threads:
            options.intra_op_num_threads = threads
        # Idle threads sleep rather than spin: spinning starves FAISS and numpy, which run
        # right after the query's embedding, of the CPU (measured: FAISS 4 ms instead of 0.5).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        try:
            self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelError(f"Cannot load {path} ({exc}); delete it to export it again") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self.embed_spans(texts, None, progress=progress)[0]

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]] | None, *,
                    progress: bool = False) -> tuple[np.ndarray, list[SpanVectors]]:
        """``embed`` plus pooled vectors of character spans of each text, from the same pass."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[SpanVectors] = [None] * len(texts) if spans is not None else []  # type: ignore[list-item]
        if not texts:
            return out, pooled
        encodings = self._tokenizer.encode_batch(list(texts))
        # Batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        batches = _batches([len(encodings[i].ids) for i in order], order, self.batch_size, self.TOKEN_BUDGET)
        if progress and len(batches) > 1:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="Embedding", unit="batch")
        for batch in batches:
            batch_encodings = [encodings[i] for i in batch]
            tokens = self._run([e.ids for e in batch_encodings])
            out[batch] = self._pool(tokens, [len(e.ids) for e in batch_encodings])
            if spans is not None:
                for row, i in enumerate(batch):
                    n = len(encodings[i].ids)
                    pooled[i] = pool_spans(np.array(encodings[i].offsets), tokens[row, :n], spans[i])
        return out, pooled

    def _run(self, ids_per_text: list[list[int]]) -> np.ndarray:
        """Token vectors of a batch, shape (texts, longest, dimension); padding rows are junk."""
        width = max(map(len, ids_per_text))
        ids = np.zeros((len(ids_per_text), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, text_ids in enumerate(ids_per_text):
            ids[row, : len(text_ids)] = text_ids
            mask[row, : len(text_ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        return self._session.run(None, feed)[0]

    def _pool(self, tokens: np.ndarray, lengths: list[int]) -> np.ndarray:
        if self._pooling == "cls":
            vectors = tokens[:, 0]
        elif len(lengths) == 1:  # one text (a query): no padding to leave out
            vectors = tokens.mean(axis=1)
        else:
            mask = (np.arange(tokens.shape[1])[None, :] < np.array(lengths)[:, None]).astype(np.float32)[..., None]
            vectors = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        if self._normalize:
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors.astype(np.float32)


def _batches(lengths: list[int], order: list[int], most: int, budget: int) -> list[list[int]]:
    """``order`` (sorted by ``lengths``, ascending) cut into runs of at most ``most`` texts whose
    padded size (texts x the longest) stays within ``budget`` tokens; a text longer than it runs alone."""
    batches: list[list[int]] = []
    current: list[int] = []
    for length, index in zip(lengths, order):
        if current and (len(current) >= most or (len(current) + 1) * length > budget):
            batches.append(current)
            current = []
        current.append(index)
    return batches + [current] if current else batches


def _read_config(model_dir: Path) -> tuple[str, bool, int]:
    """The model folder's pooling ("mean" or "cls"), whether it normalises, and its token limit."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        pooling_dir = next(model_dir / m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise ModelError(f"{model_dir} is not a sentence-transformers folder the ONNX backend understands ({exc}); "
                         "use --backend torch") from None
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    if modes == ["pooling_mode_mean_tokens"]:
        mode = "mean"
    elif modes == ["pooling_mode_cls_token"]:
        mode = "cls"
    else:
        raise ModelError(f"{model_dir} pools with {modes}; the ONNX backend does mean or CLS pooling: use --backend torch")
    normalize = any(m["type"].endswith(".Normalize") for m in modules)
    try:
        max_length = int(json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError):
        max_length = 512
    return mode, normalize, max_length


def exported_model(model_dir: Path, *, quantized: bool) -> Path:
    """The cached ONNX file of ``model_dir`` (exported, and quantised, on first use)."""
    weights = next((model_dir / n for n in ("model.safetensors", "pytorch_model.bin") if (model_dir / n).is_file()), None)
    if weights is None:
        raise ModelError(f"{model_dir} has no model.safetensors or pytorch_model.bin to export; use --backend torch")
    stat = weights.stat()
    folder = cache_dir() / "onnx" / f"{_weights_digest(str(weights), stat.st_size, stat.st_mtime_ns)[:20]}-v{EXPORT_VERSION}"
    fp32, int8 = folder / "model.onnx", folder / "model-int8.onnx"
    target = int8 if quantized else fp32
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not fp32.is_file():
            log.warning("Exporting %s to ONNX (once; kept in %s)", model_dir, folder)
            replace_atomically(fp32, lambda tmp: _export(model_dir, tmp))
        if quantized:
            log.warning("Quantising the ONNX model to int8 (once; kept in %s)", folder)
            replace_atomically(int8, lambda tmp: _quantize(fp32, tmp))
    except ModelError:
        raise
    except Exception as exc:
        raise ModelError(f"Cannot export {model_dir} to ONNX in {folder} ({type(exc).__name__}: {exc}). "
                         "Set CHATBOT_CACHE_DIR to a writable folder, or use --backend torch.") from exc
    return target


@functools.lru_cache(maxsize=8)
def _weights_digest(path: str, size: int, mtime_ns: int) -> str:
    """sha256 of a weights file, computed once per process for the same file, size and time."""
    return file_sha256(Path(path))


def _export(model_dir: Path, target: Path) -> None:
    """Trace the transformer of a sentence-transformers folder into ONNX (token embeddings out)."""
    import inspect
    import warnings

    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a bar per weight file is noise
    transformer = SentenceTransformer(str(model_dir), device="cpu")[0]
    model, tokenizer = transformer.auto_model.eval(), transformer.tokenizer
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(model.forward).parameters:
        names.append("token_type_ids")

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):
            return self.model(**dict(zip(names, inputs))).last_hidden_state

    sample = tokenizer(["a short text", "a longer sample text to trace with"], padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in names + ["token_embeddings"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(TokenEmbeddings(), tuple(sample[n] for n in names), str(target), input_names=names,
                          output_names=["token_embeddings"], dynamic_axes=axes, opset_version=ONNX_OPSET, dynamo=False)


def _quantize(fp32: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights, one scale per output channel."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = target.with_name(target.name + ".pre.onnx")
    try:
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quantize_dynamic(str(prepared), str(target), per_channel=True, weight_type=QuantType.QInt8)
    finally:
        prepared.unlink(missing_ok=True)
