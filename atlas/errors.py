"""Errors meant for people.

All exception classes of atlas live here. Every error a user can cause (bad file, unknown territory, nonsensical threshold...) is an
:class:`AtlasError` with a French message; the CLI prints it without a traceback.
"""

from __future__ import annotations


class AtlasError(Exception):
    """A user error: the message is French, meant for the person running atlas.

    Examples
    --------
    >>> import atlas
    >>> try:
    ...     atlas.territory("NULLEPART")
    ... except atlas.AtlasError as error:
    ...     print(error)
    Territoire inconnu : EPCI « NULLEPART » (SIREN à 9 chiffres ou sigle connu : AMIENS, CAB, CABBALR, CAHC, CALL, CAPSO, CUD, MEL).
    """


class ReferenceDataError(AtlasError):
    """Reference territory data is missing or unreadable."""


class RegistryError(AtlasError):
    """A registry file cannot be read at all (rows that fail are rejects, not errors)."""


class TerritoryError(AtlasError):
    """A territory code (EPCI, département, commune) does not exist."""


class HoursError(AtlasError):
    """Opening hours that cannot be read (bad OSM ``opening_hours`` syntax)."""


class AccessError(AtlasError):
    """Access analysis cannot run with the given input (French message)."""


class NoSiteError(AccessError):
    """No site of the requested kind (or open on the requested day) in the registry."""


class NetworkError(AccessError):
    """A road network cannot be read or used."""


class NetworkCoverageError(NetworkError):
    """Origins or sites lie outside the road network."""


class BanError(AtlasError):
    """A Base Adresse Nationale file cannot be read or used (missing file, missing columns)."""


class GeocoderError(AtlasError):
    """The online BAN geocoder cannot be reached or answers something unreadable."""


class PublicationError(AtlasError):
    """An option of what may be shown to whom is wrong (e.g. a freshness limit that is not a number of months)."""


class TooManySitesError(AtlasError):
    """More sites than one printed map can show without their markers covering one another."""
