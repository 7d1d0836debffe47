"""Inputs of the commands: the reference territory, the registries and their reports, read from
the options a person gives (``--registry``, ``--mapping``, ``--reference``, ``--epci``/``--dep``).

This module sits on top of the library (beside :mod:`atlas.cli` and :mod:`atlas.demo`): library
functions take frames, these read files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd

from atlas.progress import info
from atlas.registry.build import BuildResult, build_registries
from atlas.registry.partnerships import load_partnerships
from atlas.registry.publication import Audience
from atlas.registry.results import RegistryResult
from atlas.territory.reference import load_communes
from atlas.territory.selection import Territory, select_territory


def load_inputs(
    registry: str | None = None,
    mapping: str | None = None,
    reference: str | None = None,
    epci: Sequence[str] | None = None,
    dep: Sequence[str] | None = None,
    *,
    sheet: Sequence[str] | None = None,
    audience: Audience | None = None,
    ban: str | Path | None = None,
    geocoder: str | None = None,
) -> tuple[gpd.GeoDataFrame, Territory, gpd.GeoDataFrame]:
    """Communes, territory and actors for an analysis command.

    Parameters
    ----------
    registry : path, optional
        Actor registry (default: the demonstration registry, built without writing).
    mapping : str, optional
        Column mapping of ``registry`` (preset name or JSON file).
    reference : str, optional
        Reference territory source (:func:`atlas.territory.reference.load_communes`).
    epci, dep : sequence of str, optional
        Territory filter (:func:`atlas.territory.selection.select_territory`); validated before the
        registry is read, so an unknown code fails fast.
    sheet : sequence of str, optional
        Sheets of a workbook registry to read (``--sheet``; default: every sheet with a name column).
    audience : Audience, optional
        Who the outputs are for: the sites left off the maps (closed, draft, offline, reserved to
        professionals) and the stale ones are reported, one line per hidden site.
    ban, geocoder : optional
        BAN file(s) and ``"en-ligne"``: sites without coordinates placed at their address
        (:func:`atlas.registry.build.build_registries`).

    Returns
    -------
    (communes, territory, actors)
        All communes of the region, the selected territory (:class:`Territory`), the accepted actors (all statuses: the
        maps and analyses choose with :mod:`atlas.registry.publication`).
    """
    communes = load_communes(reference)
    territory = select_territory(communes, epci=list(epci) if epci else None, dep=list(dep) if dep else None)
    result = build_registries([registry] if registry else None, mappings=[mapping] if mapping else None,
                         reference=reference, write=False, sheet=list(sheet) if sheet else None, audience=audience,
                         ban=ban, geocoder=geocoder)
    report = [x for r in result.registries for x in (r.summary(), *r.sheet_lines())] + result.reject_lines(limit=10)
    for line in report + result.publication_lines(limit=10):
        info(line)  # what was left out of the analysis, and why
    return communes, territory, result.actors


def load_registries(
    registry: str | Path | None = None,
    mapping: str | None = None,
    partnerships: str | Path | None = None,
    actions: str | Path | None = None,
    reference: str | Path | None = None,
    *,
    sheet: Sequence[str] | None = None,
    ban: str | Path | None = None,
    geocoder: str | None = None,
) -> tuple[BuildResult, RegistryResult, RegistryResult]:
    """Actors (built and joined to the communes), partnerships and actions, for the CLI.

    Returns
    -------
    (BuildResult, RegistryResult, RegistryResult)
        The build (``.actors``, ``.communes``...), the partnerships, the actions.
    """
    built = build_registries([registry] if registry else None, mappings=[mapping] if mapping else None,
                        reference=reference, write=False, sheet=list(sheet) if sheet else None, ban=ban,
                        geocoder=geocoder)
    for line in [x for r in built.registries for x in (r.summary(), *r.sheet_lines())] + built.reject_lines(limit=10):
        info(line)  # the actor registry too: what the graph and the indicators leave out, and why
    parts, acts = load_partnerships(built.actors, partnerships, actions)
    return built, parts, acts
