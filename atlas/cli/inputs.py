"""From the options a person gives to the library's inputs (audience, geocoding, sites...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atlas import settings


def geocoding(ban: Path | None, geocoder: str | None) -> dict[str, Any]:
    """``ban`` (the option, else ``$ATLAS_BAN_DIR``) and ``geocoder`` for the loaders."""
    from atlas.territory.geocoding.ban import ban_source

    return {"ban": ban_source(ban), "geocoder": geocoder}


def make_audience(professionals: bool = False, include_drafts: bool = False, freshness: int = 12) -> Any:
    """The :class:`atlas.registry.publication.Audience` of the publication options."""
    from atlas.registry.publication import Audience

    return Audience(professionals=professionals, include_drafts=include_drafts, freshness_months=freshness)


def layer_partnerships(value: str | None) -> bool | Path:
    """``--partenariats`` alone means the default registry; with a value, that file."""
    return False if value is None else (True if value == "default" else Path(value))


def apply_reference_dir(reference_dir: Path | None) -> None:
    """``--reference-dir``: the folder of the real reference data for this run."""
    if reference_dir is not None:
        settings.options.reference_dir = Path(reference_dir)


def analysis_inputs(opts: dict[str, Any]) -> tuple[Any, Any, Any, Any, Any]:
    """(communes, territory, sites, origins, network) from the site and network options."""
    from atlas.analysis.distances import read_origins
    from atlas.analysis.sites import SiteFilter, select_sites
    from atlas.inputs import load_inputs
    from atlas.progress import info

    apply_reference_dir(opts.get("reference_dir"))
    info("Lecture du territoire et du registre…")
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
    left_out = sites.n_not_counted
    status = f" ; {left_out} écarté(s) : fermé(s), en brouillon ou hors ligne" if left_out else ""
    info(f"{len(sites)} sites retenus ({sites.description}{status}) ; {len(territory)} communes.")
    network = None
    if opts.get("network_path"):
        from atlas.analysis.roads import load_network

        info(f"Lecture du réseau routier « {opts['network_path']} » ({opts.get('mode', 'walk')})…")
        network = load_network(opts["network_path"], mode=opts.get("mode", "walk"))
    return communes, territory, sites, origins, network
