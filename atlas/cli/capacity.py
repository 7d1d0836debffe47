"""``atlas capacite`` (``capacity``): capacity of the sites within reach per inhabitant (2SFCA), and zones grises."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import KM, format_option, network_options, option, output_option, site_options
from atlas.cli.suggest import read_weights, weights_option
from atlas.errors import AtlasError

logger = logging.getLogger("atlas.cli")

_HEADERS = {
    "insee": "Code INSEE", "name": "Commune", "epci_name": "EPCI", "population": "Population", "demand": "Demande",
    "n_sites_reached": "Sites à portée", "per_1000": "Capacité à portée pour 1 000 (par semaine)",
    "verdict": "Verdict",
}


def _bands(text: str | None) -> dict[float, float] | None:
    """``--paliers 5:1,10:0.68,15:0.22`` → {5: 1, 10: 0.68, 15: 0.22}."""
    if not text:
        return None
    out: dict[float, float] = {}
    for part in text.split(","):
        try:
            limit, weight = part.split(":")
            out[float(limit.replace(" ", ""))] = float(weight.replace(" ", ""))
        except ValueError:
            raise AtlasError(f"paliers illisibles : « {text} » (attendu : 5:1,10:0.68,15:0.22)") from None
    return out


def _with_neighbours(communes: Any, territory: Any, km: float) -> Any:
    """Commune points of the territory and of every commune whose point is within ``km`` of one of them
    (minutes: taken as km at 60 km/h, generously)."""
    import numpy as np
    from scipy.spatial import cKDTree

    from atlas.analysis.distances import commune_origins
    from atlas.crs import points_xy

    every = commune_origins(communes)
    inner = points_xy(commune_origins(territory))
    d, _ = cKDTree(inner).query(points_xy(every), distance_upper_bound=km * 1000.0)
    return every[np.isfinite(d)]


def _verdict(row: Any) -> str:
    if row["zone_blanche"]:
        return "zone blanche"
    if row["capacity_unknown"]:
        return "capacité inconnue"
    if "zone_grise" in row and row["zone_grise"]:
        return "zone grise"
    return ""


def capacity_table(result: Any) -> Any:
    """French table of :func:`atlas.analysis.capacity.floating_catchment`, zones grises first."""
    import pandas as pd

    frame = result.frame
    df = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    df["per_1000"] = (df["capacity_per_demand"] * 1000).round(1)
    df["verdict"] = df.apply(_verdict, axis=1)
    if result.weights is None:  # the demand is the population: one column
        df = df.drop(columns="demand")
    order = {"zone grise": 0, "zone blanche": 1, "capacité inconnue": 2, "": 3}
    df = df.assign(_o=df["verdict"].map(order)).sort_values(["_o", "per_1000"], kind="stable")
    cols = [c for c in _HEADERS if c in df.columns]
    return df[cols].rename(columns=_HEADERS)


def capacity_markdown(result: Any) -> str:
    """Markdown report: what the figure means, the counts of each verdict, then the table."""
    from atlas.fr import decimal_fr, integer_fr
    from atlas.io import markdown_table

    frame = result.frame
    n_grey = int(frame["zone_grise"].sum()) if "zone_grise" in frame else 0
    pop_grey = float(frame.loc[frame["zone_grise"], "population"].sum()) if n_grey else 0.0
    lines = [f"# Capacité à portée ({result.method}, {result.threshold_label})", "",
             "Pour chaque commune : la capacité des sites à portée (bénéficiaires par semaine), partagée entre toute "
             "la demande à portée de chaque site, pour 1 000 habitants (ou unités de demande).", ""]
    if result.min_ratio is not None:
        lines.append(f"Zones grises (sites à portée, mais moins de {decimal_fr(1000 * result.min_ratio, 1)} places par "
                     f"semaine pour 1 000) : {integer_fr(n_grey)} communes, {integer_fr(pop_grey)} habitants.")
    lines.append(f"Zones blanches (aucun site à portée) : {integer_fr(int(frame['zone_blanche'].sum()))} communes.")
    if result.n_sites_unknown_capacity:
        lines.append(f"{integer_fr(result.n_sites_unknown_capacity)} site(s) sans capacité connue : les communes à "
                     "leur portée n'ont pas de verdict.")
    return "\n".join([*lines, "", ""]) + markdown_table(capacity_table(result))


@command("capacite")
@option("--capacites", "--capacities", "capacities", required=True, type=click.Path(dir_okay=False),
        metavar="FICHIER", help="Capacité de chaque site : fichier CSV aux colonnes id (identifiant du site dans le "
                                "registre) et bénéficiaires par semaine.")
@option("--seuil", "--threshold", "threshold", type=KM, default=10.0, metavar="KM",
        help="Portée d'un site (km ; par la route avec --routes ; défaut : 10).")
@option("--minutes", "minutes", type=float, default=None, metavar="MINUTES",
        help="Portée en minutes de trajet (avec --routes), au lieu des km.")
@option("--paliers", "--bands", "bands", default=None, metavar="PALIERS",
        help="E2SFCA : paliers de distance et leur poids (ex. 5:1,10:0.68,15:0.22) ; défaut : 2SFCA, poids 1 "
             "jusqu'au seuil.")
@option("--ratio-min", "--min-ratio", "min_ratio", type=float, default=None, metavar="PLACES",
        help="Zone grise : commune à portée d'un site, mais avec moins de PLACES places par semaine pour 1 000 "
             "habitants (ou unités de demande).")
@weights_option
@format_option("csv", "md", "gpkg")
@output_option("Fichier à écrire (.csv, .md, .gpkg).")
@network_options
@site_options
@handle_errors
def capacity(capacities: str, threshold: float, minutes: float | None, bands: str | None, min_ratio: float | None,
             weights: str | None, fmt: str | None, output: Path | None, **opts: Any) -> None:
    """Capacité des sites à portée par habitant (méthode 2SFCA) et zones grises : de l'aide à portée, mais trop
    petite pour la demande autour."""
    from atlas.analysis.capacity import floating_catchment
    from atlas.analysis.reach import read_values
    from atlas.io import write_output

    if minutes is not None and not opts.get("roads"):
        raise AtlasError("un seuil en minutes demande un réseau routier (option --routes)")
    table = read_values(capacities, keys=("id", "identifiant", "site"), what="capacité")
    weight_values = read_weights(weights)
    communes, territory, sites, origins, network = analysis_inputs(opts)
    ids = sites["id"].astype(str) if "id" in sites.columns else sites.index.astype(str).to_series()
    unknown = sorted(set(table.index) - set(ids))
    if unknown:
        logger.info(f"{len(unknown)} identifiant(s) du fichier de capacités ne sont pas des sites retenus : "
                    f"{', '.join(unknown[:5])}{'…' if len(unknown) > 5 else ''}")
    sites = sites.assign(capacity=ids.map(table).to_numpy())
    band_map = _bands(bands)
    if origins is None:
        # the demand that shares a site with the territory's communes lives up to two catchments away: counted,
        # then only the territory's communes are reported (no edge effect at its limits)
        reach_km = max(band_map) if band_map else threshold
        origins = _with_neighbours(communes, territory, 2 * reach_km if minutes is None else 2 * minutes)
    result = floating_catchment(origins, sites, capacity="capacity", threshold_km=threshold, threshold_min=minutes,
                                network=network, weights=weight_values, bands=band_map,
                                min_ratio=None if min_ratio is None else min_ratio / 1000)
    if "insee" in result.frame.columns:
        inside = result.frame["insee"].astype(str).isin(set(territory["insee"].astype(str)))
        result.frame = result.frame[inside.to_numpy()].copy()
    if output is None and fmt in (None, "md"):
        click.echo(capacity_markdown(result), nl=False)
        return
    if output is None and fmt == "csv":
        from atlas.io import csv_text

        click.echo(csv_text(capacity_table(result)), nl=False)
        return
    if output is None:
        raise AtlasError("le format gpkg demande un fichier de sortie (-o)")
    path = write_output(output, fmt, error=AtlasError, csv=lambda: capacity_table(result),
                        md=lambda: capacity_markdown(result), gpkg=lambda: {"capacite": result.frame})
    click.echo(f"Capacité à portée écrite : {path} ({len(result.frame)} points)")
