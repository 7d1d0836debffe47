"""``atlas actors``: the actor map (partnership graph, centralities, communities, exports)."""

from __future__ import annotations

from pathlib import Path

import click

from atlas import settings
from atlas.cli.errors import handle_errors
from atlas.cli.inputs import apply_reference_dir
from atlas.cli.options import actions_option, partnership_file_option, reference_options, registry_options
from atlas.errors import AtlasError


@click.command()
@registry_options
@partnership_file_option
@actions_option
@click.option("--epci", multiple=True,
              help="Seulement les acteurs de cet EPCI et leurs partenaires directs (SIREN ou sigle), répétable.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["png", "pdf", "svg"]),
              help="Formats du dessin du graphe (défaut : png et pdf), répétable.")
@click.option("--seed", type=int, default=42, show_default=True, help="Graine de Louvain et de la mise en page.")
@click.option("--web", is_flag=True, help="Écrire la cartographie interactive (un seul fichier HTML hors ligne) "
                                          "au lieu des dessins et tableaux.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Dossier de sortie (défaut : maps/acteurs) ; avec --web, fichier .html (défaut : maps/acteurs.html).")
@reference_options
@handle_errors
def actors(registry: Path | None, mapping: str | None, sheet: tuple[str, ...], partnerships: Path | None,
           actions: Path | None,
           epci: tuple[str, ...], formats: tuple[str, ...], seed: int, web: bool, output: Path | None,
           reference: str | None, reference_dir: Path | None) -> None:
    """Cartographie des acteurs : graphe des partenariats, centralités, communautés, exports."""
    from atlas.actors.export import export_all
    from atlas.inputs import load_registries
    from atlas.registry.partnerships import reject_lines

    apply_reference_dir(reference_dir)
    if not web and output is not None and output.suffix.lower() in (".html", ".htm"):
        raise AtlasError(f"Pour écrire la cartographie interactive « {output} », ajoutez --web.")
    if web:
        from atlas.maps.web.actors import html_output_path

        html_output_path(output or "acteurs.html")  # refused before the registries are read
    built, parts, acts = load_registries(registry, mapping, partnerships, actions, reference, sheet=sheet)
    for line in reject_lines(acts) + reject_lines(parts):
        click.echo(line, err=True)
    if web:
        from atlas.maps.web.actors import write_actors_page

        path = write_actors_page(built.actors, parts.accepted, acts.accepted, output or settings.maps_dir() / "acteurs.html",
                                 epci=list(epci) or None, communes=built.communes, seed=seed)
        click.echo(f"Cartographie interactive des acteurs écrite : {path} ({path.stat().st_size / 1e6:.2f} Mo)")
        return
    written, summary = export_all(built.actors, parts.accepted, acts.accepted,
                                  output or settings.maps_dir() / "acteurs", epci=list(epci) or None,
                                  communes=built.communes, formats=formats or ("png", "pdf"), seed=seed)
    for line in summary:
        click.echo(line)
    click.echo("Fichiers écrits :")
    for path in written.values():
        click.echo(f"  {path}")
