"""atlas: who feeds whom in a territory.

A library (and the ``atlas`` command line) for Projets Alimentaires Territoriaux and food-aid
coordinators: reference territory (communes, EPCI, départements), actor registries, access
distances and *zones blanches*, the partnership graph, printable and interactive maps.

The main functions are available from the package itself, e.g.::

    import atlas

    built = atlas.load("registre.csv")                    # + partnerships.csv, actions.csv beside it
    cab = atlas.territory("CABBALR", communes=built.communes)
    sites = atlas.select_sites(built.actors, atlas.SiteFilter(day="samedi"))
    zb = atlas.zones_blanches(cab, sites, thresholds_km=(5, 10))

One word per concept: a *territory* is an :class:`atlas.Territory` (``atlas.territory(...)``,
:func:`atlas.select_territory`), the first argument of every function that works on one; *sites*
are what :func:`atlas.select_sites` keeps; thresholds are ``thresholds_km`` (a sequence);
results that carry metadata are small dataclasses (:class:`atlas.Coverage`, :class:`atlas.Sites`,
:class:`atlas.MapLayers`...).

They are imported on first use (the command line starts without loading every subpackage).
The layers, from bottom to top: base modules (:mod:`atlas.errors`, :mod:`atlas.settings`,
:mod:`atlas.fr`, :mod:`atlas.crs`, :mod:`atlas.io`...), :mod:`atlas.territory`,
:mod:`atlas.registry`, :mod:`atlas.analysis` and :mod:`atlas.actors`, :mod:`atlas.maps`, then
:mod:`atlas.cli` and :mod:`atlas.demo`.
"""

from __future__ import annotations

import importlib
from typing import Any

from atlas.errors import AtlasError

__version__ = "0.1.0"

#: Public name -> module that defines it (one home each).
_API: dict[str, str] = {
    # territory
    "load_communes": "atlas.territory.reference",
    "epci_polygons": "atlas.territory.reference",
    "departement_polygons": "atlas.territory.reference",
    "representative_points": "atlas.territory.reference",
    "select_territory": "atlas.territory.selection",
    "Territory": "atlas.territory.selection",
    "territory": "atlas.territory",
    # registries
    "read_actors": "atlas.registry.actors",
    "build_registries": "atlas.registry.build",
    "load": "atlas.registry.build",
    "read_partnerships": "atlas.registry.partnerships",
    "read_actions": "atlas.registry.partnerships",
    "geocode_registry": "atlas.registry.geocoding.write_back",
    "write_geocoded": "atlas.registry.geocoding.write_back",
    # analysis
    "SiteFilter": "atlas.analysis.sites",
    "select_sites": "atlas.analysis.sites",
    "Sites": "atlas.analysis.sites",
    "Coverage": "atlas.analysis.coverage",
    "nearest": "atlas.analysis.distances",
    "commune_access": "atlas.analysis.distances",
    "distances": "atlas.analysis.distances",
    "zones_blanches": "atlas.analysis.coverage",
    "summarize": "atlas.analysis.coverage",
    "weekly_coverage": "atlas.analysis.coverage",
    "suggest_sites": "atlas.analysis.suggest",
    "load_network": "atlas.analysis.roads",
    # actors
    "build_graph": "atlas.actors.model",
    "node_metrics": "atlas.actors.metrics",
    "communities": "atlas.actors.metrics",
    "compute_indicators": "atlas.actors.indicators",
    "export_all": "atlas.actors.export",
    "draw_graph": "atlas.actors.draw",
    # maps
    "analysis_layers": "atlas.maps.layers",
    "MapLayers": "atlas.maps.layers",
    "render_map": "atlas.maps.print.render",
    "render_atlas": "atlas.maps.print.booklet",
    "make_webmap": "atlas.maps.web.render",
    "write_webmap": "atlas.maps.web.render",
}

__all__ = ["AtlasError", "__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'atlas' has no attribute {name!r}")
    imported = importlib.import_module(module)
    value = imported if module == f"atlas.{name}" else getattr(imported, name)  # atlas.territory: callable package
    globals()[name] = value  # next access without __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
