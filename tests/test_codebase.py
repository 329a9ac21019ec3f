"""The codebase's own rules (docs/architecture.md): layers, no import cycles, module and function
sizes, and a tokenizer version that moves whenever the BM25 tokens do."""

from __future__ import annotations

import ast
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import grimp

from chatbot import text
from conftest import ROOT

PACKAGE = ROOT / "chatbot"
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60


def test_layer_contracts_hold():
    """``lint-imports`` checks the contracts in pyproject.toml (layers, gradio, model libraries)."""
    lint_imports = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    done = subprocess.run([sys.executable, "-c", lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 kept, 0 broken" in done.stdout


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """The import cycles of ``graph``: its strongly connected groups of more than one module (Tarjan)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[set[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in graph.modules:
                continue
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = set()
            while not group or member != module:
                member = stack.pop()
                group.add(member)
            if len(group) > 1:
                cycles.append(group)

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return cycles


def test_no_import_cycles():
    # Every import counts, the ones inside functions and under TYPE_CHECKING too.
    graph = grimp.build_graph("chatbot", include_external_packages=False, cache_dir=None)
    assert len(graph.modules) > 40
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_cycles():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert strongly_connected(graph) == [{"a", "b", "c"}]


def oversized(package: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions over MAX_FUNCTION_LINES (decorators excluded)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(package.parent).as_posix()
        if (lines := len(source.splitlines())) > MAX_MODULE_LINES:
            found.append(f"{name}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if (lines := node.end_lineno - node.lineno + 1) > MAX_FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}(): {lines} lines")
    return found


def test_modules_and_functions_stay_small():
    assert oversized(PACKAGE) == []


def test_the_size_scan_sees_long_functions(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n", encoding="utf-8")
    assert oversized(tmp_path) == [f"{tmp_path.name}/long.py:1 long(): {MAX_FUNCTION_LINES + 1} lines"]


# What the BM25 tokens of each tokenizer version look like, as a digest of words, stems, tokens and
# stopwords on a sample. A change to any of them must come with a new TOKENIZER_VERSION (the index
# then rewrites its tokens) and a new line here.
TOKENIZER_DIGESTS = {1: "b42e84b9194123c9"}
SAMPLE = ("Doesn't it hurt? Children's knees: 2 tablets, type-2 diabetes, the running and "
          "swimming classes; inflammations, studies, tried, quickly, happiness, nations, walkers.")


def tokenizer_digest() -> str:
    found = text.words(SAMPLE)
    data = {"words": found, "stems": [text.stem(w) for w in found], "tokens": text.lexical_tokens(SAMPLE),
            "stopwords": sorted(text.STOPWORDS)}
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def test_tokenizer_version_names_what_it_makes():
    assert TOKENIZER_DIGESTS.get(text.TOKENIZER_VERSION) == tokenizer_digest(), (
        f"words, stem or STOPWORDS changed what they return: bump TOKENIZER_VERSION in chatbot/text.py and add "
        f"{{{text.TOKENIZER_VERSION + 1}: {tokenizer_digest()!r}}} to TOKENIZER_DIGESTS")


def test_tokenizer_digest_moves_with_the_stopwords(monkeypatch):
    before = tokenizer_digest()
    monkeypatch.setattr(text, "STOPWORDS", text.STOPWORDS - {"the"})
    assert tokenizer_digest() != before

