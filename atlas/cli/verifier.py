"""``atlas verifier``: the rows of the registries whose place contradicts itself, for the coordinator."""

from __future__ import annotations

from pathlib import Path

import click

from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import apply_reference_dir, geocoding
from atlas.cli.options import (
    argument,
    geocode_options,
    mapping_option,
    output_option,
    reference_options,
    sheet_option,
)


@command("verifier")
@argument("registries", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path),
          metavar="REGISTRE...")
@mapping_option(several=True)
@sheet_option()
@output_option("Liste à écrire en CSV pour Excel (défaut : affichée à l'écran).")
@geocode_options
@reference_options
@handle_errors
def verifier(*, registries: tuple[Path, ...], mappings: tuple[str, ...], sheet: tuple[str, ...],
             output: Path | None, ban: Path | None, geocoder: str | None, reference: str | None,
             reference_dir: Path | None) -> None:
    """Lieux à vérifier : commune, code postal, code INSEE et coordonnées qui se contredisent.

    Un point à plus de 1 km de la commune que la ligne nomme est placé dans cette commune (mairie,
    ou adresse avec --ban) ; des lignes de communes différentes aux mêmes coordonnées, un code
    INSEE qui contredit le nom et le code postal sont signalés. La même liste est écrite par
    atlas build à côté du GeoPackage (…-verifications.csv).
    """
    from atlas.io import write_csv_excel
    from atlas.registry.build import build_atlas

    apply_reference_dir(reference_dir)
    result = build_atlas(list(registries), mappings=list(mappings) or None, reference=reference, write=False,
                         sheet=list(sheet) or None, **geocoding(ban, geocoder))
    for r in result.registries:
        click.echo(r.summary())
    if not len(result.verifications):
        click.echo("Aucun lieu à vérifier : communes, codes et coordonnées concordent.")
        return
    if output is None:
        for line in result.verification_lines(limit=len(result.verifications)):
            click.echo(line)
        return
    path = write_csv_excel(output, result.verifications)
    click.echo(f"Lieux à vérifier écrits : {path} ({len(result.verifications)} vérifications, "
               f"{result.verification_lines(limit=0)[0].split('(', 1)[1].split(' :', 1)[0]})")
