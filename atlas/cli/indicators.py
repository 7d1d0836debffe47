"""``atlas indicators``: follow-up indicators (PAT, AMI DRAAF/DREETS) by territory."""

from __future__ import annotations

from pathlib import Path

import click

from atlas.cli.errors import handle_errors
from atlas.cli.inputs import apply_reference_dir
from atlas.cli.options import actions_option, partnership_file_option, reference_options, registry_options


@click.command()
@click.option("--epci", multiple=True, help="EPCI (SIREN ou sigle : CABBALR, CAPSO…), répétable. "
                                            "Défaut : CABBALR et CAPSO.")
@registry_options
@partnership_file_option
@actions_option
@click.option("--sans-fictifs", "--real-only", "real_only", is_flag=True,
              help="Ne pas compter les acteurs fictifs de démonstration.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default=None,
              help="Format (défaut : d'après l'extension de -o, sinon md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Fichier à écrire (sinon le tableau est affiché).")
@reference_options
@handle_errors
def indicators(epci: tuple[str, ...], registry: Path | None, mapping: str | None, sheet: tuple[str, ...],
               partnerships: Path | None,
               actions: Path | None, real_only: bool, fmt: str | None, output: Path | None, reference: str | None,
               reference_dir: Path | None) -> None:
    """Indicateurs de suivi (PAT 1.1 du Pays de Saint-Omer, AMI DRAAF/DREETS) par territoire."""
    from atlas.actors.indicators import compute_indicators, indicators_for_people, indicators_markdown, write_indicators
    from atlas.actors.model import build_graph
    from atlas.inputs import load_registries
    from atlas.io import output_format
    from atlas.registry.partnerships import reject_lines
    from atlas.territory.selection import select_territory

    apply_reference_dir(reference_dir)
    built, parts, acts = load_registries(registry, mapping, partnerships, actions, reference, sheet=sheet)
    for line in reject_lines(acts) + reject_lines(parts):
        click.echo(line, err=True)
    graph = build_graph(built.actors, parts.accepted, acts.accepted)
    territory = select_territory(built.communes, epci=list(epci) or ["CABBALR", "CAPSO"])  # the demo's two EPCI
    table = compute_indicators(territory, built.actors, parts.accepted, graph, actions=acts.accepted,
                               fictitious=not real_only)
    fmt = output_format(output, fmt, allowed=("md", "csv"), default="md")
    if output is not None:
        if output.suffix.lower() != f".{fmt}":
            output = output.with_suffix(f".{fmt}")
        click.echo(f"Indicateurs écrits : {write_indicators(table, output)}")
    elif fmt == "csv":
        from atlas.io import csv_text

        click.echo(csv_text(indicators_for_people(table)), nl=False)
    else:
        click.echo(indicators_markdown(table), nl=False)
