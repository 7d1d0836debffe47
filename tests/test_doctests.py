"""Every exported name of ``atlas.__all__`` has numpydoc *Examples*, and they run (on the demo data)."""

from __future__ import annotations

import doctest
import importlib

import pytest

import atlas
from atlas import settings

NAMES = [n for n in atlas.__all__ if n != "__version__"]


def _documented(name: str) -> object:
    if name == "territory":  # the package is callable: its examples are those of choose_territory
        return importlib.import_module("atlas.territory.selection").choose_territory
    return getattr(atlas, name)


@pytest.mark.parametrize("name", NAMES)
def test_examples_run(name, monkeypatch):
    monkeypatch.setattr(settings.options, "quiet", True)
    obj = _documented(name)
    finder = doctest.DocTestFinder(recurse=False)
    tests = [t for t in finder.find(obj, name, globs={}) if t.examples]
    assert tests, f"{name}: no Examples section"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} example(s) failed (see the output above)"
