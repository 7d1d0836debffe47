"""``python -m atlas.cli``: the ``atlas`` command."""

from atlas.cli.main import main

main()
