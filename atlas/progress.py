"""Progress reporting for long work: a bar on stderr, silenced by ``--quiet``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sized
from typing import TypeVar

import click

from atlas import settings

T = TypeVar("T")


def progress(iterable: Iterable[T], label: str = "", total: int | None = None) -> Iterator[T]:
    """Iterate over ``iterable`` showing a progress bar on stderr unless quiet.

    Parameters
    ----------
    iterable : iterable
        The work items.
    label : str
        A short French label (« Distances », « Pages »...).
    total : int, optional
        Number of items, when ``iterable`` has no length.
    """
    if settings.options.quiet:
        yield from iterable
        return
    length = total if total is not None else (len(iterable) if isinstance(iterable, Sized) else None)
    with click.progressbar(iterable, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


def info(message: str) -> None:
    """Print an informative French message on stderr unless quiet."""
    if not settings.options.quiet:
        click.echo(message, err=True)
