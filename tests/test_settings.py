"""Settings: one typed object, fields over environment variables over defaults."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from atlas import settings
from atlas.errors import ReferenceDataError


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(settings, "options", settings.Settings())
    for var in ("ATLAS_REFERENCE_DIR", "ATLAS_CACHE_DIR", "ATLAS_PROCESSED_DIR", "ATLAS_MAPS_DIR"):
        monkeypatch.delenv(var, raising=False)
    return settings.options


def test_every_field_is_documented():
    doc = settings.Settings.__doc__
    for field in dataclasses.fields(settings.Settings):
        assert f"{field.name} :" in doc


def test_defaults_are_in_the_checkout(fresh):
    assert settings.processed_dir() == settings.REPO_DIR / "data" / "processed"
    assert settings.maps_dir() == settings.REPO_DIR / "maps"
    assert settings.raw_dir() == settings.REPO_DIR / "data" / "raw"


def test_environment_then_field(fresh, monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_MAPS_DIR", str(tmp_path / "env"))
    assert settings.maps_dir() == tmp_path / "env"
    fresh.maps_dir = tmp_path / "field"
    assert settings.maps_dir() == tmp_path / "field"
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    assert settings.cache_dir() == tmp_path / "cache" and (tmp_path / "cache").is_dir()


def test_reference_dir_missing_is_a_french_error(fresh, tmp_path):
    fresh.reference_dir = tmp_path / "absent"
    assert settings.reference_dir() is None
    with pytest.raises(ReferenceDataError, match="Données de référence introuvables : « .*absent »"):
        settings.reference_dir(required=True)
    fresh.reference_dir = tmp_path
    assert settings.reference_dir(required=True) == tmp_path


def test_cli_reference_dir_sets_the_option_not_the_environment(fresh, tmp_path):
    import os

    from click.testing import CliRunner

    from atlas.cli import cli

    absent = tmp_path / "absent.gpkg"
    res = CliRunner().invoke(cli, ["-q", "indicators", "--reference-dir", str(tmp_path), "--reference", str(absent)])
    assert res.exit_code == 1  # an unknown reference: a French error, no traceback
    assert res.output.startswith("Erreur : Référence inconnue")
    assert "Traceback" not in res.output
    assert settings.options.reference_dir == Path(tmp_path)
    assert settings.options.quiet is True
    assert "ATLAS_REFERENCE_DIR" not in os.environ
