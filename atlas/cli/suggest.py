"""``atlas suggerer`` (``suggest``): where new sites would cover the most demand in zones blanches,
or the fewest new sites covering everyone — exactly (HiGHS) or greedily, each answer with its proven gap."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import (
    KM,
    Choice,
    Whole,
    format_option,
    network_options,
    option,
    output_option,
    site_options,
    stack,
    thresholds_option,
)
from atlas.errors import AtlasError

logger = logging.getLogger("atlas.cli")

#: ``--methode``: HiGHS branch and bound, or the greedy heuristic (both report their gap).
METHOD = Choice({"exact": ("exacte", "exact"), "greedy": ("glouton", "greedy", "gloutonne")})

#: ``--poids``: a column of the origins, or a CSV file of one weight per commune (insee code).
weights_option = option(
    "--poids", "--weights", "weights", default=None, metavar="COLONNE|FICHIER",
    help="Pondérer la demande : une colonne numérique des points d'origine (--origines), ou un fichier CSV "
         "d'un poids par commune (colonnes insee et poids, ex. ménages sous le seuil de pauvreté). "
         "Défaut : la population.")

#: Where new sites may go and which sites are already fixed.
siting_options = stack(
    option("--candidats", "--candidates", "candidates", default=None, type=click.Path(dir_okay=False),
           metavar="FICHIER", help="Lieux candidats (fichier de points) ; défaut : les communes du territoire "
                                   "(mairie ou point représentatif)."),
    option("--grille", "--grid", "grid", type=KM, default=None, metavar="KM",
           help="Lieux candidats sur une grille régulière de KM km couvrant le territoire."),
    option("--sites-prevus", "--planned-sites", "planned", default=None, type=click.Path(dir_okay=False),
           metavar="FICHIER", help="Sites déjà prévus (fichier de points) : comptés comme ouverts, comme les sites "
                                   "existants."),
    weights_option,
)


def read_weights(value: str | None) -> Any:
    """``--poids``: None, a column name (str), or the per-commune Series of a CSV file."""
    if value is None:
        return None
    if Path(value).suffix.lower() in (".csv", ".txt") or Path(value).is_file():
        from atlas.analysis.reach import read_values

        return read_values(value, keys=("insee", "codgeo", "code_insee", "code"), what="poids")
    return value


def _candidates(territory: Any, candidates: str | None, grid: float | None) -> Any:
    from atlas.analysis.distances import commune_origins, read_points
    from atlas.analysis.reach import grid_candidates

    if candidates is not None and grid is not None:
        raise AtlasError("--candidats et --grille ne vont pas ensemble : choisissez l'un ou l'autre")
    if grid is not None:
        return grid_candidates(territory, spacing_km=grid)
    return commune_origins(territory) if candidates is None else read_points(candidates)


@command("suggerer")
@thresholds_option("Portée d'un site (km, à vol d'oiseau, ou par la route avec --routes), répétable : une réponse "
                   "par seuil (défaut : 10 km).")
@option("--minutes", "minutes", type=float, default=None, metavar="MINUTES",
        help="Portée d'un site en minutes de trajet (avec --routes), au lieu des km.")
@option("-k", "--nombre", "--number", "k", type=Whole(1), default=5, metavar="NOMBRE",
        help="Nombre de sites à proposer (défaut : 5).")
@option("--couvrir-tout", "--cover-all", "cover_all", is_flag=True,
        help="Le moins de nouveaux sites possible pour que toute la population soit à portée (ou la part --part).")
@option("--part", "--share", "share", type=float, default=None, metavar="POURCENT",
        help="Avec --couvrir-tout : la part de la population (ou de la demande --poids) à mettre à portée, en %.")
@option("--methode", "--method", "method", type=METHOD, default="exact",
        help="exacte : solution optimale (HiGHS), prouvée ou avec son écart à l'optimum si la limite de temps "
             "est atteinte ; glouton : un site après l'autre, avec son écart au plus à l'optimum (défaut : exacte).")
@option("--limite-temps", "--time-limit", "time_limit", type=float, default=60.0, metavar="SECONDES",
        help="Limite de temps de la résolution exacte (défaut : 60 s).")
@siting_options
@format_option("csv", "md", "gpkg")
@output_option("Fichier à écrire (.csv, .md, .gpkg).")
@network_options
@site_options
@handle_errors
def suggest(thresholds: tuple[float, ...], minutes: float | None, k: int, cover_all: bool, share: float | None,
            method: str, time_limit: float, candidates: str | None, grid: float | None, planned: str | None,
            weights: str | None, fmt: str | None, output: Path | None, **opts: Any) -> None:
    """Où ouvrir de nouveaux sites : le plus de population en zone blanche mise à portée, ou le moins de sites pour
    couvrir tout le monde, avec l'écart prouvé à l'optimum."""
    from atlas.analysis.distances import check_thresholds, commune_origins, read_points
    from atlas.analysis.siting import maximal_covering, set_covering, siting_markdown

    if share is not None:
        if not 0 < share <= 100:
            raise AtlasError(f"--part {share:g} : un pourcentage entre 0 et 100 est attendu")
        cover_all = True
    if minutes is not None:
        check_thresholds(minutes, "min")
        if not opts.get("roads"):
            raise AtlasError("un seuil en minutes demande un réseau routier (option --routes)")
    kms = list(thresholds) or [10.0]
    for km in kms:
        check_thresholds(km, "km")
    weight_values = read_weights(weights)
    _, territory, sites, origins, network = analysis_inputs(opts)
    if origins is None:
        origins = commune_origins(territory)
    cands = _candidates(territory, candidates, grid)
    fixed = [sites] + ([read_points(planned)] if planned else [])
    common = {"sites": fixed, "network": network, "weights": weight_values, "method": method,
              "time_limit_s": time_limit}
    reaches = [{"threshold_min": minutes}] if minutes is not None else [{"threshold_km": km} for km in kms]
    if cover_all:
        rankings = [set_covering(origins, cands, share=None if share is None else share / 100, **reach, **common)
                    for reach in reaches]
    else:
        rankings = [maximal_covering(origins, cands, k=k, **reach, **common) for reach in reaches]
    for r in rankings:
        if r.weights_missing:
            logger.info(f"{r.weights_missing} point(s) d'origine sans poids : comptés 0.")
    if output is None and fmt in (None, "md"):
        click.echo("\n".join(siting_markdown(r) for r in rankings), nl=False)
        return
    if output is None and fmt == "csv":
        from atlas.io import csv_text

        click.echo(csv_text(_table(rankings)), nl=False)
        return
    path = _write(rankings, output or settings.processed_dir() / "suggestions.gpkg", fmt)
    sentences = " ".join(r.solution.sentence() for r in rankings)
    click.echo(f"Propositions écrites : {path} ({sum(len(r) for r in rankings)} sites). {sentences}")


def _table(rankings: list[Any]) -> Any:
    """One French table; with several thresholds, a first column « Seuil »."""
    import pandas as pd

    from atlas.analysis.siting import siting_table

    if len(rankings) == 1:
        return siting_table(rankings[0])
    tables = [siting_table(r).assign(Seuil=r.threshold_label) for r in rankings]
    table = pd.concat(tables, ignore_index=True)
    return table[["Seuil", *[c for c in table.columns if c != "Seuil"]]]


def _write(rankings: list[Any], path: Path, fmt: str | None) -> Path:
    """The rankings in one file: one table (csv), the reports one after the other (md), one layer per threshold (gpkg)."""
    from atlas.analysis.siting import siting_markdown, write_siting
    from atlas.errors import AccessError
    from atlas.io import write_output

    if len(rankings) == 1:
        return write_siting(rankings[0], path, fmt=fmt)

    def layer(r: Any) -> str:
        return "suggestions_" + r.threshold_label.replace(" ", "").replace(",", "_")

    return write_output(path, fmt, error=AccessError, csv=lambda: _table(rankings),
                        md=lambda: "\n".join(siting_markdown(r) for r in rankings),
                        gpkg=lambda: {layer(r): r.frame for r in rankings})
