"""``atlas contours``: download the official commune contours into the cache."""

from __future__ import annotations

import click

from atlas.cli.errors import handle_errors


@click.command()
@click.option("--url", default=None, help="Adresse du fichier de contours (GeoJSON, éventuellement .gz).")
@click.option("--force", is_flag=True, help="Télécharger à nouveau même si le fichier est en cache.")
@handle_errors
def contours(url: str | None, force: bool) -> None:
    """Télécharge les contours officiels des communes (IGN/Etalab) dans le cache local."""
    from atlas.territory.contours import DEFAULT_URL, download_contours

    path = download_contours(url or DEFAULT_URL, force=force)
    click.echo(f"Contours disponibles : {path}")
    click.echo(f"Utilisez-les avec : atlas build --reference {path}")
