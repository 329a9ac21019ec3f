"""A synthetic corpus of any size made from MedQuAD, for build benchmarks beyond its 6,154 articles.

    python benchmarks/synthetic_corpus.py 60000 [--chars 600]

Article k is made from MedQuAD article k mod 6,154 (in id order): its paragraphs from a
starting point that moves with each pass over MedQuAD, up to about ``--chars`` characters,
with the sentences of each paragraph in a shuffled order (seeded by k), a title and url that
name the variant, and its own id (``syn-00042``).  So every article's text and content hash
differ, while its words and sentence shapes stay those of real consumer-health prose.  The
articles are shorter than MedQuAD's (600 characters is one or two chunks, against 7.8 for a
MedQuAD article), which keeps a 60,000-article build to well under an hour on 2 cores; the
attribution (source url, CC BY licence) stays in each file's front matter.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from common import CACHE, MEDQUAD, require_shared

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def synthetic_corpus(count: int, chars: int = 600) -> Path:
    """The folder of ``count`` synthetic articles under benchmarks/.cache (written once)."""
    require_shared()
    folder = CACHE / f"synthetic-{count}-{chars}" / "corpus"
    if folder.is_dir() and len(list(folder.glob("*.md"))) == count:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(MEDQUAD.glob("*.md"))
    parsed = [_parse(path) for path in sources]
    for k in range(count):
        meta, title, paragraphs = parsed[k % len(parsed)]
        rng = random.Random(k)
        variant = k // len(parsed)
        picked, size = [], 0
        for paragraph in paragraphs[variant % len(paragraphs):] + paragraphs[:variant % len(paragraphs)]:
            sentences = _SENTENCE_END.split(paragraph)
            rng.shuffle(sentences)
            kept = []
            for sentence in sentences:
                kept.append(sentence)
                size += len(sentence) + 1
                if size >= chars:
                    break
            picked.append(" ".join(kept))
            if size >= chars:
                break
        front = "\n".join(f"{key}: {value}" for key, value in meta.items() if key not in ("title", "url"))
        url = f"{meta.get('url', 'https://example.org/')}#variant-{variant}"
        text = "\n\n".join(picked)
        (folder / f"syn-{k:05d}.md").write_text(
            f'---\ntitle: "{title} (variant {variant})"\nurl: {url}\n{front}\n---\n\n# {title}\n\n## Overview\n\n{text}\n',
            encoding="utf-8")
    return folder


def _parse(path: Path) -> tuple[dict[str, str], str, list[str]]:
    """Front matter, title and body paragraphs (headings left out) of a MedQuAD article."""
    raw = path.read_text(encoding="utf-8")
    _, front, body = raw.split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in front.strip().splitlines() if ": " in line)
    title = meta.get("title", path.stem).strip('"')
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip() and not p.lstrip().startswith("#")]
    return meta, title.replace('"', "'"), paragraphs or [title]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--chars", type=int, default=600, help="about how many characters of text per article")
    args = parser.parse_args()
    print(synthetic_corpus(args.count, args.chars))


if __name__ == "__main__":
    main()
