"""How the command line fails: one French sentence and exit code 1, never a traceback.

Errors meant for people (:class:`~atlas.errors.AtlasError`, and the file system's: full disk,
refused permission) are printed as ``Erreur : …``; a bug is named in one sentence. ``atlas
--debug`` (or ``ATLAS_DEBUG=1``) shows the traceback instead.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from atlas.errors import AtlasError


def debug() -> bool:
    """``atlas --debug`` or ``ATLAS_DEBUG=1``: tracebacks are shown."""
    ctx = click.get_current_context(silent=True)
    flag = bool(ctx and ctx.find_root().params.get("debug"))
    return flag or os.environ.get("ATLAS_DEBUG", "").lower() not in ("", "0", "false")


def fail(message: str, code: int = 1) -> None:
    """Print ``Erreur : message`` on stderr (with the traceback under ``--debug``) and exit."""
    if debug():
        traceback.print_exc()
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


def handle_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command: people's errors as one French sentence, bugs named, Ctrl-C said."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from atlas.io import error_fr

        try:
            return func(*args, **kwargs)
        except AtlasError as exc:
            fail(str(exc))
        except OSError as exc:  # disk full, permission denied... : a person's problem, not a bug
            where = f" « {exc.filename} »" if getattr(exc, "filename", None) else ""
            fail(f"fichier{where} : {error_fr(exc)}.")
        except KeyboardInterrupt:
            click.echo("Interrompu : aucun fichier partiel n'a été laissé.", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: say so in one sentence; --debug shows where
            if debug():
                raise
            click.echo(f"Erreur inattendue ({type(exc).__name__} : {exc}). Relancez avec « atlas --debug … » "
                       "pour voir le détail, et signalez-la.", err=True)
            sys.exit(1)

    return wrapper
