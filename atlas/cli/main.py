"""The ``atlas`` group: global options, and every command registered."""

from __future__ import annotations

import click

from atlas import settings
from atlas.cli.actors import actors
from atlas.cli.build import build
from atlas.cli.contours import contours
from atlas.cli.demo import demo
from atlas.cli.distances import distances
from atlas.cli.gaps import gaps
from atlas.cli.geocode import geocode
from atlas.cli.indicators import indicators
from atlas.cli.print_map import print_map
from atlas.cli.suggest import suggest
from atlas.cli.web import web


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True, help="Silencieux : ni barre de progression ni message d'information.")
@click.option("--debug", is_flag=True, help="En cas d'erreur, montrer la trace Python complète (pour signaler un bogue).")
@click.version_option(package_name="atlas")
def cli(quiet: bool, debug: bool) -> None:
    """atlas : qui nourrit qui sur un territoire (aide alimentaire, PAT, Hauts-de-France)."""
    settings.options.quiet = quiet


for _command in (build, contours, web, gaps, distances, suggest, print_map, actors, indicators, geocode, demo):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``atlas`` script."""
    cli(prog_name="atlas")
