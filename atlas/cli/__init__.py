"""The ``atlas`` command line: thin click commands over the library.

One module per command (:mod:`atlas.cli.gaps`...), the options shared by several commands defined
once in :mod:`atlas.cli.options`, the group and its global options in :mod:`atlas.cli.main`.
Every command calls the library; errors meant for people are printed as one French sentence
without a traceback, with exit code 1 (:mod:`atlas.cli.errors`).
"""

from __future__ import annotations

from atlas.cli.main import cli, main

__all__ = ["cli", "main"]
