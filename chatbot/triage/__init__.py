"""Triage of every message: red flags (redflags), their context (context), languages, the learned detector (model), the levels (assess) and figures against labelled messages (scoring)."""
