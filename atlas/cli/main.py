"""The ``atlas`` group: global options, how much it says, and every command by its French and English names."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import click

from atlas import settings
from atlas.cli.actors import actors
from atlas.cli.build import build
from atlas.cli.capacity import capacity
from atlas.cli.contours import contours
from atlas.cli.demo import demo
from atlas.cli.distances import distances
from atlas.cli.french import FrenchGroup, install
from atlas.cli.gaps import gaps
from atlas.cli.geocode import geocode
from atlas.cli.indicators import indicators
from atlas.cli.options import option
from atlas.cli.print_map import print_map
from atlas.cli.rounds import round_command
from atlas.cli.suggest import suggest
from atlas.cli.verifier import verifier
from atlas.cli.web import web

install()  # click's own strings in French while an atlas command runs (atlas.cli.french)

#: Each command, its French name (its click name) first, then its English alias.
COMMANDS: tuple[tuple[click.Command, tuple[str, ...]], ...] = (
    (build, ("build",)), (contours, ()), (web, ()), (gaps, ("gaps",)), (distances, ()), (suggest, ("suggest",)), (capacity, ("capacity",)), (round_command, ("round",)),
    (print_map, ("print",)), (actors, ("actors",)), (indicators, ("indicators",)), (geocode, ("geocode",)),
    (verifier, ("check",)), (demo, ()),
)


def log_level(verbose: int, quiet: int) -> int:
    """``-v``/``-q`` (each repeatable) as a :mod:`logging` level: messages (INFO) by default,
    ``-q`` warnings only, ``-qq`` errors only, ``-v`` details (DEBUG)."""
    return min(max(logging.INFO - 10 * (verbose - quiet), logging.DEBUG), logging.CRITICAL)


class EchoHandler(logging.Handler):
    """Print the library's log records on stderr with :func:`click.echo`: the message as written
    (« 15 lignes lues, 8 acceptées… »), « Attention : » before a warning, the logger's name under ``-v``."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.levelno >= logging.WARNING:
                message = f"Attention : {message}"
            elif record.levelno < logging.INFO:
                message = f"[{record.name}] {message}"
            click.echo(message, err=True)
        except Exception:  # a handler never raises (logging's rule)
            self.handleError(record)


def progress_bar(items: Iterable[Any], label: str, total: int | None) -> Iterator[Any]:
    """The CLI's progress hook (:func:`atlas.progress.set_progress_hook`): a click bar on stderr."""
    length = total if total is not None else (len(items) if hasattr(items, "__len__") else None)  # type: ignore[arg-type]
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


def _configure(ctx: click.Context, level: int) -> None:
    """Messages and progress of this run as ``-v``/``-q`` say; undone when the run ends."""
    from atlas.progress import set_progress_hook

    logger = logging.getLogger("atlas")
    handler = EchoHandler(level)
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    previous_hook = set_progress_hook(progress_bar if level <= logging.INFO else None)
    settings.options.quiet = level > logging.INFO

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        set_progress_hook(previous_hook)

    ctx.call_on_close(undo)


@click.group("atlas", cls=FrenchGroup, context_settings={"help_option_names": ["-h", "--aide", "--help"], "max_content_width": 100})
@option("-v", "--details", "--verbose", "verbose", count=True,
        help="Plus de détails (répétable) : le nom du module devant chaque message.")
@option("-q", "--silencieux", "--quiet", "quiet", count=True,
        help="Silencieux : ni barre de progression ni message d'information (-qq : seulement les erreurs).")
@option("--debogage", "--debug", "debug", is_flag=True,
        help="En cas d'erreur, montrer la trace Python complète (pour signaler un bogue).")
@click.version_option(package_name="atlas", help="Afficher la version et quitter.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: int, debug: bool) -> None:
    """atlas : qui nourrit qui sur un territoire (aide alimentaire, PAT, Hauts-de-France)."""
    _configure(ctx, log_level(verbose, quiet))


for _command, _aliases in COMMANDS:
    cli.add_command(_command, aliases=_aliases)


def main() -> None:
    """Entry point of the ``atlas`` script."""
    cli(prog_name="atlas")
