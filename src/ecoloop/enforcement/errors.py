"""Errors of the enforcement area, shown to the user as one message."""

from ecoloop.errors import EcoLoopError


class EnforcementError(EcoLoopError):
    """A case operation that the law or the case's state does not allow (message fit for the user)."""
