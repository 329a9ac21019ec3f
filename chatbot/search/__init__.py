"""Search: question understanding (query, synonyms, spelling), the features of candidate chunks (features) and the hybrid ``Retriever`` (retriever)."""
