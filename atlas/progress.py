"""Progress of long work: silent unless a hook is installed.

The library never prints. Its messages go through :mod:`logging` (one logger per module, named
``atlas.<module>``, silent until logging is configured: :mod:`atlas` gives the ``atlas`` logger a
:class:`logging.NullHandler`), and its long loops go through :func:`progress`, which hands the
work to the hook installed with :func:`set_progress_hook` -- none by default. The ``atlas``
command installs a click progress bar and a handler that prints the messages; a notebook can ask
for the same::

    import logging
    logging.basicConfig(level=logging.INFO, format="%(message)s")   # the messages
    from tqdm.auto import tqdm
    atlas.progress.set_progress_hook(lambda items, label, total: tqdm(items, desc=label, total=total))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: A progress hook: ``hook(items, label, total)`` returns an iterable over ``items`` that shows
#: the progress (``label``: a short French label, « Feuilles »; ``total``: the number of items when
#: ``items`` has no length, else None).
ProgressHook = Callable[[Iterable[Any], str, "int | None"], Iterable[Any]]

_hook: ProgressHook | None = None


def set_progress_hook(hook: ProgressHook | None) -> ProgressHook | None:
    """Install ``hook`` for every :func:`progress` (``None``: no progress shown); return the previous one."""
    global _hook
    previous, _hook = _hook, hook
    return previous


def progress(iterable: Iterable[T], label: str = "", total: int | None = None) -> Iterator[T]:
    """Iterate over ``iterable``, through the progress hook when one is installed.

    Parameters
    ----------
    iterable : iterable
        The work items.
    label : str
        A short French label (« Distances », « Pages »...).
    total : int, optional
        Number of items, when ``iterable`` has no length.
    """
    if _hook is None:
        yield from iterable
        return
    yield from _hook(iterable, label, total)
