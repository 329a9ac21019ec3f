"""`import chatbot` stays light (heavy libraries load on first use), and the package installs and runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from chatbot.version import __version__ as chatbot_version
from conftest import ROOT, SHIPPED_CORPUS


def test_import_does_not_load_heavy_libraries():
    code = ("import sys, chatbot; print(__import__('json').dumps(sorted(m for m in "
            "('torch', 'gradio', 'faiss', 'sentence_transformers', 'fastapi', 'onnxruntime', 'ray', 'sqlalchemy') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_public_names_resolve():
    import chatbot

    for name in chatbot.__all__:
        assert getattr(chatbot, name) is not None


@pytest.mark.slow
@SHIPPED_CORPUS
def test_installed_package_runs_from_another_folder(tmp_path):
    """``pip install`` into a fresh prefix; the ``chatbot`` script answers from another folder with the
    installed code and its package data (the triage model), not the checkout's."""
    source = tmp_path / "source"  # pip builds in the source folder: build a copy, so the checkout stays clean
    shutil.copytree(ROOT / "chatbot", source / "chatbot", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    prefix = tmp_path / "prefix"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "--prefix", str(prefix), str(source)], check=True, capture_output=True, text=True)
    shutil.rmtree(source)
    site = sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": site}

    def chatbot(*args: str) -> str:
        done = subprocess.run([str(prefix / "bin" / "chatbot"), *args], cwd=elsewhere, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    code = ("import chatbot; from chatbot.answer.informative import MODEL_PATH; from chatbot.triage.model import "
            "MODEL_PATH as TRIAGE; print(chatbot.__file__, chatbot.__version__, MODEL_PATH.is_file(), TRIAGE.is_file())")
    where = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                           check=True).stdout.split()
    assert Path(where[0]).is_relative_to(prefix) and where[1:] == [chatbot_version, "True", "True"]
    seeds = {p.stem for p in (ROOT / "corpus").iterdir()}
    hits = json.loads(chatbot("search", "can back pain cause shaky hands?", "--index", str(ROOT / "index"), "--json"))["hits"]
    assert len(hits) == 5 and {h["article_id"] for h in hits} <= seeds
    answer = json.loads(chatbot("ask", "crushing chest pain and I can't breathe", "--index", str(ROOT / "index"), "--json"))
    assert answer["kind"] == "urgent"
