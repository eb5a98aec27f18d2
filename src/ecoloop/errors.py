"""Errors meant for the person at the keyboard: one clear message, never a traceback."""


class EcoLoopError(Exception):
    """Base class for errors that the CLI and the web layer show as a message (exit code 2 / HTTP 4xx)."""


class ConfigError(EcoLoopError):
    """Bad configuration: unknown key, wrong type, unreadable file."""


class DatabaseError(EcoLoopError):
    """The database cannot be reached or its schema does not fit this version."""
