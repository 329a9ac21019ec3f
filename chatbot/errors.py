"""Errors the library raises.  Each message says what is wrong, the value, and the fix."""


class ChatbotError(Exception):
    """Base class: the command line prints these as one ``error: ...`` line."""


class IndexNotFoundError(ChatbotError):
    """There is no index where one was expected."""


class IndexFormatError(ChatbotError):
    """The index exists but cannot be used as it is (old format, damaged or inconsistent files)."""


class IndexMismatchError(ChatbotError):
    """The index was built with another embedding model than the one asked for."""


class CorpusError(ChatbotError):
    """The corpus folder cannot be used (missing, not a folder, or no readable article)."""


class ModelError(ChatbotError):
    """The embedding model cannot be found, verified or loaded."""


class InvalidQueryError(ChatbotError, ValueError):
    """A search was asked with an empty query or an out-of-range ``k``."""
