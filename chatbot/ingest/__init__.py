"""Reading the corpus: files -> ``Article`` (corpus) -> ``Chunk``s (chunking)."""
