"""The command line as a whole: every command listed, shared options, errors without traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from atlas import settings
from atlas.cli import cli

#: French name -> English alias (the same word when both languages write it so).
COMMANDS = {"construire": "build", "contours": "contours", "web": "web", "imprimer": "print",
            "zones-blanches": "gaps", "distances": "distances", "suggerer": "suggest", "capacite": "capacity", "tournee": "round", "acteurs": "actors",
            "indicateurs": "indicators", "demo": "demo", "geocoder": "geocode",
            "verifier": "check"}


def test_every_command_is_listed_by_its_french_then_english_name():
    res = CliRunner().invoke(cli, ["--help"])
    assert res.exit_code == 0
    rows = [line.strip().split("  ")[0] for line in res.output.split("Commandes :")[1].splitlines()
            if line.startswith("  ") and not line.startswith("    ")]
    listed = {names.split(", ")[0]: names.split(", ")[-1] for names in rows}
    assert listed == COMMANDS
    for french, english in COMMANDS.items():
        for name in {french, english}:
            usage = CliRunner().invoke(cli, [name, "--aide"]).output
            assert usage.startswith(f"Utilisation : atlas {french} "), name


def test_shared_options_have_one_name_everywhere():
    runner = CliRunner()
    for command in ("web", "print", "gaps", "distances", "suggest", "actors", "indicators"):
        text = runner.invoke(cli, [command, "--help"]).output
        assert "--registre, --registry FICHIER" in text, command
        assert "--correspondance, --mapping NOM|FICHIER" in text, command
        assert ("--partenariats, --partnerships FICHIER" in text) == (command not in ("gaps", "distances", "suggest")), command


def test_partnership_layer_flag_alone_or_with_a_file(tmp_path):
    """``--partenariats`` is a file everywhere; ``--liens`` draws the default registry's partnerships."""
    runner = CliRunner()
    alone = tmp_path / "a.html"
    res = runner.invoke(cli, ["-q", "web", "--epci", "CABBALR", "--liens", "-o", str(alone)])
    assert res.exit_code == 0, res.output
    given = tmp_path / "b.html"
    res = runner.invoke(cli, ["-q", "web", "--epci", "CABBALR", "--partenariats",
                              str(settings.raw_dir() / "partnerships.csv"), "-o", str(given)])
    assert res.exit_code == 0, res.output
    assert "Partenariat" in alone.read_text(encoding="utf-8")
    assert alone.stat().st_size == given.stat().st_size
    none = tmp_path / "c.html"
    assert runner.invoke(cli, ["-q", "web", "--epci", "CABBALR", "-o", str(none)]).exit_code == 0
    assert "Partenariats" not in none.read_text(encoding="utf-8")


def test_unknown_territory_is_a_french_error_and_writes_nothing(tmp_path):
    runner = CliRunner()
    for command, suffix in (("web", "html"), ("print", "pdf"), ("gaps", "csv"), ("distances", "csv")):
        out = tmp_path / f"x-{command}.{suffix}"
        res = runner.invoke(cli, [command, "--epci", "999999999", "-o", str(out)])
        assert res.exit_code == 1, (command, res.output)
        assert "Territoire inconnu" in res.output and "Traceback" not in res.output
        assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_registry_report_is_printed_line_for_line_and_silenced_by_q(tmp_path):
    """The report the library logs (atlas.inputs) is what the command prints on stderr, whole lines, in order."""
    from pathlib import Path

    from atlas.registry.build import build_atlas

    bad = Path(__file__).parent / "data" / "registre_excel_fr.csv"
    built = build_atlas([bad], write=False)
    expected = [x for r in built.registries for x in (r.summary(), *r.sheet_lines())] + built.reject_lines(limit=10)
    assert "15 lignes lues, 8 acceptées, 7 rejetées" in expected[0] and len(expected) > 5
    res = CliRunner().invoke(cli, ["zones-blanches", "--registre", str(bad), "--epci", "CABBALR", "-o",
                                   str(tmp_path / "zb.md")])
    assert res.exit_code == 0, res.output
    printed = res.output.splitlines()
    start = printed.index(expected[0])
    assert printed[start:start + len(expected)] == expected
    quiet = CliRunner().invoke(cli, ["-q", "gaps", "--registry", str(bad), "--epci", "CABBALR", "-o",
                                     str(tmp_path / "zb2.md")])
    assert quiet.exit_code == 0, quiet.output
    assert len(quiet.output.splitlines()) == 1 and quiet.output.startswith("Zones blanches écrites : ")


@pytest.mark.slow
def test_map_commands_say_which_rows_were_left_out(tmp_path):
    """A person regenerating a map from a registry with bad rows is told which lines and why."""
    from pathlib import Path

    bad = Path(__file__).parent / "data" / "registre_excel_fr.csv"
    runner = CliRunner()
    for command, suffix in (("print", "pdf"), ("web", "html"), ("gaps", "md")):
        out = tmp_path / f"carte.{suffix}"
        res = runner.invoke(cli, [command, "--registry", str(bad), "--epci", "CABBALR", "-o", str(out)])
        assert res.exit_code == 0, (command, res.output)
        assert "15 lignes lues, 8 acceptées, 7 rejetées" in res.output, command
        assert "ligne 6 : latitude et longitude inversées" in res.output, command
        assert out.exists()
    quiet = runner.invoke(cli, ["-q", "web", "--registry", str(bad), "--epci", "CABBALR", "-o",
                                str(tmp_path / "q.html")])
    assert "rejetées" not in quiet.output


def test_output_format_from_the_suffix_once_for_every_command(tmp_path):
    # one rule (atlas.io.output_format) for every command writing a table: an unknown suffix is a
    # French sentence and exit 1, and nothing is written
    res = CliRunner().invoke(cli, ["-q", "indicators", "-o", str(tmp_path / "indicateurs.txt")])
    assert res.exit_code == 1
    assert res.output == "Erreur : format de sortie inconnu : « txt » (md ou csv)\n"
    assert list(tmp_path.iterdir()) == []
