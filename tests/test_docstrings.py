"""The numpydoc check of the exported API (``python -m tests.tools.check_docstrings``, run by
.ci/run) finds what numpydoc's validator finds, and the exported API passes it."""

from __future__ import annotations

import dataclasses
import importlib.util

from atlas import settings

_spec = importlib.util.spec_from_file_location(
    "check_docstrings", settings.REPO_DIR / "tests" / "tools" / "check_docstrings.py"
)
assert _spec is not None and _spec.loader is not None
checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(checker)


def good(path: str, *, thresholds_km: tuple[float, ...] = (10,), **options: object) -> int:
    """Count something.

    Parameters
    ----------
    path : str
        Where.
    thresholds_km : tuple of float
        How far.
    **options
        Passed on.

    Returns
    -------
    int
        How many.
    """
    return 0


def undocumented_keyword(path: str, path2: str = "", *, day: str | None = None) -> int:
    """Count something.

    Parameters
    ----------
    path : str
        Where.
    sites : GeoDataFrame
        A name the signature does not have.
    path2 : str

    Notes
    -----
    Nothing.

    Returns
    ------
    int
    """
    return 0


@dataclasses.dataclass
class Filter:
    """A filter.

    Parameters
    ----------
    kinds : tuple of str
        Which kinds.
    """

    kinds: tuple[str, ...] = ()
    day: str | None = None


def test_a_good_docstring_passes():
    assert checker.check("good", good) == []


def test_missing_and_unknown_parameters_bad_underline_order_and_description_are_found():
    problems = checker.check("f", undocumented_keyword)
    codes = sorted(p.split(": ", 1)[1].split()[0] for p in problems)
    assert "PR01 parameter « day » not documented" in " ".join(problems)
    assert "PR02 « sites » documented but not a parameter" in " ".join(problems)
    assert "PR07 « path2 » has no description" in " ".join(problems)
    # and the Returns underline is one dash short, Notes comes before Returns
    assert codes == ["GL07", "GL07", "PR01", "PR02", "PR07"], problems


def test_a_dataclass_field_left_out_is_found():
    assert checker.check("Filter", Filter) == ["Filter: PR01 parameter « day » not documented"]


def test_a_function_that_returns_needs_a_returns_section():
    def f(x: int) -> int:
        """Double.

        Parameters
        ----------
        x : int
            A number.
        """
        return 2 * x

    assert checker.check("f", f) == ["f: RT01 no Returns section"]


def test_every_exported_name_passes():
    objects = checker.exported()
    assert len(objects) >= 30
    problems = [p for name, obj in objects.items() for p in checker.check(name, obj)]
    assert problems == []


def test_ci_runs_the_static_checks_and_mypy_states_its_strictness():
    run = (settings.REPO_DIR / ".ci" / "run").read_text(encoding="utf-8")
    for command in ("-m ruff format --check atlas tests", "-m mypy", "-m tests.tools.check_docstrings"):  # with .venv's python
        assert command in run, command
    toml = (settings.REPO_DIR / "pyproject.toml").read_text(encoding="utf-8")
    mypy = toml.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
    assert "check_untyped_defs = true" in mypy and 'files = ["atlas"]' in mypy
