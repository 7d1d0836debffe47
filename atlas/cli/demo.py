"""``atlas demo``: all of atlas on the demonstration registry."""

from __future__ import annotations

import click

from atlas.cli.errors import handle_errors


@click.command()
@handle_errors
def demo() -> None:
    """Tout atlas sur le registre de démonstration : GeoPackage, zones blanches, acteurs, cartes A3 et web."""
    from atlas.demo import run_demo

    result = run_demo()
    for line in result.lines:
        click.echo(line)
    click.echo("Fichiers écrits :")
    for path in result.files:
        click.echo(f"  {path}")
