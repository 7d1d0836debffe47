"""Errors meant for people.

Every error a user can cause (bad file, unknown territory, nonsensical threshold...) is an
:class:`AtlasError` with a French message; the CLI prints it without a traceback.
"""

from __future__ import annotations


class AtlasError(Exception):
    """A user error: the message is French, meant for the person running atlas."""


class ReferenceDataError(AtlasError):
    """Reference territory data is missing or unreadable."""


class RegistryError(AtlasError):
    """A registry file cannot be read at all (rows that fail are rejects, not errors)."""


class TerritoryError(AtlasError):
    """A territory code (EPCI, département, commune) does not exist."""
