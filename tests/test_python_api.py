"""The Python API for notebooks: ``import atlas`` exposes the main functions, documented, and the
README's « Python » example runs as it is."""

from __future__ import annotations

import importlib
import re

import pypdf
import pytest

import atlas
from atlas import settings


def _readme_example() -> str:
    text = (settings.REPO_DIR / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_every_public_name_has_one_home_and_a_numpydoc_docstring():
    assert len(atlas._API) >= 25
    for name, module in atlas._API.items():
        obj = getattr(atlas, name)
        if name == "territory":  # the package atlas.territory, callable: atlas.territory("CABBALR")
            assert obj is importlib.import_module(module) and callable(obj)
            obj = importlib.import_module("atlas.territory.selection").choose_territory
        else:
            assert obj.__module__ == module, name  # defined there, not re-exported from elsewhere
            assert getattr(importlib.import_module(module), name) is obj
        doc = obj.__doc__ or ""
        assert "Parameters\n" in doc or "Attributes\n" in doc or "Returns\n" in doc, name
    assert "zones_blanches" in dir(atlas) and "zones_blanches" in atlas.__all__


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'zone_blanches'"):
        atlas.zone_blanches  # noqa: B018


def test_readme_example_is_about_ten_lines():
    lines = [line for line in _readme_example().splitlines() if line.strip()]
    assert 8 <= len(lines) <= 12


def test_readme_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(_readme_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "Communauté d'agglomération de Béthune-Bruay" in out
    assert "pop_uncovered_10km" in out
    pdf = pypdf.PdfReader(tmp_path / "cabbalr.pdf")
    width_mm = float(pdf.pages[0].mediabox.width) * 25.4 / 72
    assert round(width_mm) in (420, 297)  # A3, landscape or portrait
    html = (tmp_path / "cabbalr.html").read_text(encoding="utf-8")
    assert "<html" in html and "leaflet" in html.lower()
