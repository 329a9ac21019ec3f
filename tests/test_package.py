"""`import chatbot` stays light: heavy libraries load on first use."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_import_does_not_load_heavy_libraries():
    code = ("import sys, chatbot; print(__import__('json').dumps(sorted(m for m in "
            "('torch', 'gradio', 'faiss', 'sentence_transformers', 'bm25s', 'fastapi', 'onnxruntime') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_public_names_resolve():
    import chatbot

    for name in chatbot.__all__:
        assert getattr(chatbot, name) is not None
