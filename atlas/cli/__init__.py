"""The ``atlas`` command line: thin click commands over the library, in French.

One module per command (:mod:`atlas.cli.gaps` is ``atlas zones-blanches``/``atlas gaps``...), the
options that several commands share defined and documented once in :mod:`atlas.cli.options`
(with the naming rule: French name first, English alias, values in both languages), click's own
words in French in :mod:`atlas.cli.french`, the group, ``-v``/``-q`` (the log level) and the
progress bar in :mod:`atlas.cli.main`. Errors meant for people are printed as one French sentence
without a traceback, with exit code 1 (:mod:`atlas.cli.errors`).

To add a command: write ``atlas/cli/<name>.py`` with ``@command("<nom-français>")`` and options
from :mod:`atlas.cli.options` (or ``option("--francais", "--english", ...)`` for its own), then
list it with its English alias in :data:`atlas.cli.main.COMMANDS`; ``tests/test_cli_french.py``
checks the rule.
"""

from __future__ import annotations

from atlas.cli.main import cli, main

__all__ = ["cli", "main"]
