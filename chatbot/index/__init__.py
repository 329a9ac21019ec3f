"""The index folder: planning a build (plan), embedding and writing it (build), reading it (store), BM25 (lexical), FAISS (vectors) and sentence vectors (sentences)."""
