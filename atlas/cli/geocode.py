"""``atlas geocode``: place a registry's addresses with the BAN and rewrite the registry."""

from __future__ import annotations

from pathlib import Path

import click

from atlas.cli.errors import handle_errors
from atlas.cli.inputs import apply_reference_dir, geocoding
from atlas.cli.options import geocode_options, reference_options


@click.command()
@click.argument("registry", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", default=None, help="Correspondance de colonnes du registre (préréglage ou fichier JSON).")
@click.option("--sheet", "--feuille", "sheet", default=None, metavar="NOM",
              help="Feuille du classeur à géocoder (défaut : celle qui a une colonne de nom).")
@geocode_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Registre géocodé à écrire (défaut : REGISTRE-geocode.csv à côté du registre).")
@reference_options
@handle_errors
def geocode(registry: Path, mapping: str | None, sheet: str | None, ban: Path | None, geocoder: str | None,
            output: Path | None, reference: str | None, reference_dir: Path | None) -> None:
    """Place les adresses d'un registre avec la Base Adresse Nationale et réécrit le registre.

    Ajoute longitude, latitude, précision (adresse, voie, lieu-dit, commune), score et adresse
    BAN retenue, dans le même format CSV que le registre (séparateur, encodage) ; un classeur
    Excel est réécrit en CSV pour Excel. Liste les lignes placées moins précisément qu'à l'adresse.
    """
    from atlas.registry.geocoding.write_back import geocode_registry, write_geocoded

    apply_reference_dir(reference_dir)
    options = geocoding(ban, geocoder)
    if options["ban"] is None and geocoder is None:
        raise click.UsageError("indiquez les fichiers de la BAN (--ban CHEMIN ou ATLAS_BAN_DIR) "
                               "ou le géocodeur en ligne (--geocodeur en-ligne).")
    target = output or registry.with_name(f"{registry.stem}-geocode.csv")
    geocoded = geocode_registry(registry, mapping=mapping, reference=reference, sheet=sheet, **options)
    path = write_geocoded(geocoded, target)
    for line in geocoded.report_lines():
        click.echo(line)
    how = "même format que le registre" if geocoded.dialect else "CSV pour Excel : « ; », UTF-8"
    click.echo(f"Registre géocodé écrit : {path} ({how})")
