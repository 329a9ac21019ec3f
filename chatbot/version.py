"""The package's version: one definition, read by ``pyproject.toml``, the index manifest and the API."""

__version__ = "0.1.0"
