"""From the options a person gives to the library's inputs (audience, geocoding, sites...)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from atlas import settings

logger = logging.getLogger("atlas.cli")


def geocoding(ban: Path | None, geocoder: str | None) -> dict[str, Any]:
    """``ban`` (the option, else ``$ATLAS_BAN_DIR``) and ``geocoder`` for the loaders."""
    from atlas.territory.ban import ban_source

    return {"ban": ban_source(ban), "geocoder": geocoder}


def make_audience(professionals: bool = False, include_drafts: bool = False, freshness: int = 12) -> Any:
    """The :class:`atlas.registry.publication.Audience` of the publication options."""
    from atlas.registry.publication import Audience

    return Audience(professionals=professionals, include_drafts=include_drafts, freshness_months=freshness)


def layer_partnerships(links: bool, partnerships: Path | None) -> bool | Path:
    """The partnership layer of a map: the file given with ``--partenariats`` (drawn), else, with
    ``--liens``, the default registry (``True``), else none (``False``)."""
    return Path(partnerships) if partnerships is not None else bool(links)


def apply_reference_dir(reference_dir: Path | None) -> None:
    """``--reference-dir``: the folder of the real reference data for this run."""
    if reference_dir is not None:
        settings.options.reference_dir = Path(reference_dir)


def analysis_inputs(opts: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """(communes, territory, sites, origins, network) from the site and network options."""
    from atlas.analysis.distances import read_origins
    from atlas.analysis.sites import SiteFilter, select_sites
    from atlas.inputs import load_inputs

    apply_reference_dir(opts.get("reference_dir"))
    logger.info("Lecture du territoire et du registre…")
    communes, territory, actors = load_inputs(opts.get("registry"), opts.get("mapping"), opts.get("reference"),
                                              opts.get("epci"), opts.get("dep"), sheet=opts.get("sheet"),
                                              audience=make_audience(include_drafts=bool(opts.get("include_drafts"))),
                                              **geocoding(opts.get("ban"), opts.get("geocoder")))
    kinds = list(opts.get("kinds") or []) or None
    from atlas.registry.schema import AID_KINDS

    sites = select_sites(actors, SiteFilter(kinds=kinds or AID_KINDS,
                                            networks=list(opts.get("networks") or []) or None,
                                            services=list(opts.get("services") or []) or None, day=opts.get("day"),
                                            include_drafts=bool(opts.get("include_drafts"))))
    origins = read_origins(opts["origins"]) if opts.get("origins") else None
    left_out = sites.attrs.get("n_not_counted", 0)
    status = f" ; {left_out} écarté(s) : fermé(s), en brouillon ou hors ligne" if left_out else ""
    logger.info(f"{len(sites)} sites retenus ({sites.attrs.get('filter', '')}{status}) ; {len(territory)} communes.")
    network = None
    if opts.get("roads"):
        from atlas.analysis.roads import load_network

        how = "en voiture" if opts.get("mode") == "drive" else "à pied"
        logger.info(f"Lecture du réseau routier « {opts['roads']} » ({how})…")
        network = load_network(opts["roads"], mode=opts.get("mode", "walk"))
    return communes, territory, sites, origins, network
