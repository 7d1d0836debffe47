"""Numpydoc check of the exported API: every name in ``atlas.__all__``.

Usage::

    python -m tests.tools.check_docstrings        # run by .ci/run; exit 1 and the problems listed

For each exported function and class (its docstring as ``inspect.getdoc`` gives it), the rules of
numpydoc's own validator that matter to a reader of ``help()``, with numpydoc's codes:

* ``GL08`` a docstring; ``SS01`` a one-line summary, then ``GL01``-style a blank line before the sections;
* ``GL06``/``GL07`` only numpydoc section names, each underlined by as many dashes, in numpydoc's order;
* ``PR01`` every parameter of the signature documented (keyword-only ones too), ``PR02`` no documented
  parameter that the signature lacks; for a dataclass, its fields in *Parameters* or *Attributes*;
* ``PR07`` every documented parameter described (an indented line under it);
* ``RT01`` a *Returns* (or *Yields*) section when the function returns something.

numpydoc itself (``numpydoc lint``) is not used: it installs Sphinx, whose docutils conflicts with
the system's awscli on the project's machines; these rules are numpydoc's, parsed the same way.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import typing
from collections.abc import Callable, Iterable
from pathlib import Path

#: numpydoc's sections, in the order numpydoc requires them.
SECTIONS = (
    "Parameters",
    "Returns",
    "Yields",
    "Receives",
    "Other Parameters",
    "Raises",
    "Warns",
    "Warnings",
    "See Also",
    "Notes",
    "References",
    "Examples",
    "Attributes",
    "Methods",
)
_UNDERLINE = re.compile(r"^-{3,}$")
_ITEM = re.compile(r"^(\*{0,2}[A-Za-z_][\w]*(?:\s*,\s*\*{0,2}[A-Za-z_][\w]*)*)\s*(?::.*)?$")


def parse_sections(doc: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """Split a cleaned docstring into its text before the sections, its sections and format problems."""
    lines = doc.splitlines()
    problems: list[str] = []
    heads = [i for i in range(len(lines) - 1) if _UNDERLINE.match(lines[i + 1].strip()) and lines[i].strip()]
    intro = lines[: heads[0]] if heads else lines
    sections: dict[str, list[str]] = {}
    for n, i in enumerate(heads):
        name = lines[i].strip()
        if name not in SECTIONS:
            problems.append(f"GL06 unknown section « {name} »")
        if len(lines[i + 1].strip()) != len(name):
            problems.append(f"GL07 underline of « {name} » is not as long as its name")
        if name in sections:
            problems.append(f"GL07 section « {name} » twice")
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        sections[name] = lines[i + 2 : end]
    known = [s for s in sections if s in SECTIONS]
    if known != sorted(known, key=SECTIONS.index):
        problems.append(f"GL07 sections out of numpydoc's order: {', '.join(known)}")
    return intro, sections, problems


def documented_names(body: Iterable[str]) -> dict[str, bool]:
    """Names of a Parameters/Attributes section → whether an indented description follows."""
    out: dict[str, bool] = {}
    current: list[str] = []
    for line in body:
        if line and not line[0].isspace():
            m = _ITEM.match(line.strip())
            current = [n.strip() for n in m.group(1).split(",")] if m else []
            for name in current:
                out[name] = False
        elif line.strip() and current:
            for name in current:
                out[name] = True
    return out


def _returns_something(func: Callable[..., object]) -> bool:
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - an annotation that cannot be evaluated here: read the text
        ret = inspect.signature(func).return_annotation
        return ret not in (inspect.Signature.empty, None, "None")
    return "return" in hints and hints["return"] is not type(None)


def _signature_names(obj: object) -> list[str]:
    if dataclasses.is_dataclass(obj):
        return [f.name for f in dataclasses.fields(obj) if f.init or not f.name.startswith("_")]
    try:
        params = inspect.signature(obj).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []
    prefix = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}
    return [prefix.get(p.kind, "") + p.name for p in params if p.name not in ("self", "cls")]


def check(name: str, obj: object) -> list[str]:
    """The problems of one exported object's docstring (empty when it passes)."""
    doc = inspect.getdoc(obj)
    if not doc or not doc.strip():
        return [f"{name}: GL08 no docstring"]
    intro, sections, problems = parse_sections(doc)
    if not intro or not intro[0].strip():
        problems.append("SS01 no summary on the first line")
    if sections and intro and intro[-1].strip():
        problems.append("GL01 no blank line before the first section")
    is_class = inspect.isclass(obj)
    if is_class and issubclass(obj, BaseException):  # type: ignore[arg-type]
        return [f"{name}: {p}" for p in problems]
    documented = documented_names(sections.get("Parameters", []))
    if is_class:
        documented |= documented_names(sections.get("Attributes", []))
    expected = _signature_names(obj)
    bare = {n.lstrip("*"): n for n in expected}
    for param in expected:
        if param not in documented and param.lstrip("*") not in documented:
            problems.append(f"PR01 parameter « {param} » not documented")
    for param, described in documented.items():
        if param not in expected and param.lstrip("*") not in bare and not is_class:
            problems.append(f"PR02 « {param} » documented but not a parameter")
        if not described:
            problems.append(f"PR07 « {param} » has no description")
    if callable(obj) and not is_class and _returns_something(obj):  # type: ignore[arg-type]
        if "Returns" not in sections and "Yields" not in sections:
            problems.append("RT01 no Returns section")
    return [f"{name}: {p}" for p in problems]


def exported() -> dict[str, object]:
    """Every function and class in ``atlas.__all__``."""
    import atlas

    objects = {name: getattr(atlas, name) for name in atlas.__all__ if not name.startswith("__")}
    return {name: obj for name, obj in objects.items() if inspect.isclass(obj) or inspect.isfunction(obj)}


def main(argv: list[str] | None = None) -> int:
    """Check every exported name; print the problems; 0 when there is none."""
    repo = Path(__file__).resolve().parents[2]
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    objects = exported()
    problems = [p for name, obj in sorted(objects.items()) for p in check(name, obj)]
    for problem in problems:
        print(problem)
    print(f"numpydoc check: {len(objects)} exported names, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
