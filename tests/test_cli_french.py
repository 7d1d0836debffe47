"""The command line speaks French with one naming rule: the whole click tree walked.

Every command and option has its French name first and an English alias (or one word that is the
same in both languages, listed here by hand); every metavar is French; ``--help``, a bad value, a
missing argument, an unknown option, an extra argument never show one of click's English strings.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.cli import french as fr

#: Every option's long names, French first then English, as a person reads them in --help
#: (written by hand: a new option must be added here, in the rule).
SPELLINGS: set[tuple[str, ...]] = {
    ("--details", "--verbose"), ("--silencieux", "--quiet"), ("--debogage", "--debug"),
    ("--registre", "--registry"), ("--correspondance", "--mapping"), ("--feuille", "--sheet"),
    ("--partenariats", "--partnerships"), ("--sortie", "--output"), ("--professionnels", "--professionals"),
    ("--inclure-brouillons", "--include-drafts"), ("--fraicheur", "--freshness"), ("--geocodeur", "--geocoder"),
    ("--dossier-reference", "--reference-dir"), ("--dessin", "--drawing"), ("--graine", "--seed"),
    ("--routes", "--roads"), ("--type", "--kind"), ("--reseau", "--aid-network"), ("--jour", "--day"),
    ("--dep", "--department"), ("--origines", "--origins"), ("--zones-blanches", "--gaps"), ("--acces", "--access"),
    ("--liens", "--links"), ("--tous-types", "--all-kinds"), ("--titre", "--title"), ("--editeur", "--editor"),
    ("--titre-registre", "--registry-title"), ("--sans-fictifs", "--real-only"), ("--seuil", "--threshold"),
    ("--nombre", "--number"), ("--candidats", "--candidates"), ("--par", "--by"), ("--semaine", "--week"),
    ("--methode", "--method"), ("--limite-temps", "--time-limit"), ("--couvrir-tout", "--cover-all"),
    ("--part", "--share"), ("--sites-prevus", "--planned-sites"), ("--poids", "--weights"), ("--grille", "--grid"),
    ("--capacites", "--capacities"), ("--paliers", "--bands"), ("--ratio-min", "--min-ratio"),
    ("--jours", "--days"), ("--arrets-par-jour", "--stops-per-day"), ("--conduite-max", "--max-drive"),
    ("--duree-arret", "--stop-time"), ("--depart", "--start"), ("--vitesse", "--speed"),
    ("--identifiant", "--route-id"), ("--nom", "--name"), ("--lignes", "--rows"),
}
#: Words written the same in French and English (or French terms with no English name: EPCI, BAN).
SAME_WORD = {"--version", "--actions", "--epci", "--ban", "--reference", "--url", "--force", "--format", "--mode",
             "--service", "--commune", "--atlas", "--orientation", "--contact", "--web", "--minutes", "--depot",
             "--detour"}
#: Metavars: French capitals (a choice shows its French values instead).
METAVARS = {"FICHIER", "DOSSIER", "DOSSIER|FICHIER", "FICHIER|DOSSIER", "NOM", "NOM|FICHIER", "CODE", "KM",
            "MINUTES", "MOIS", "NOMBRE", "TEXTE", "TYPE", "RÉSEAU", "SERVICE", "JOUR", "SOURCE", "URL",
            "REGISTRE", "[REGISTRE]...", "REGISTRE...", "POURCENT", "SECONDES", "PLACES", "PALIERS", "COLONNE|FICHIER", "JOURS", "HEURE", "KMH", "FACTEUR"}
#: click's own English, as it would show in a help page or an error.
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "Error:", "Invalid value",
           "Missing argument", "Missing option", "No such option", "No such command", "Got unexpected",
           "is not one of", "is not a valid", "Try '", "[default:", "does not exist", "requires an argument",
           "Did you mean", "not in the range", "TEXT", "FLOAT", "INTEGER", "PATH", "FILENAME", "DIRECTORY",
           "[OPTIONS]...", "COMMAND", "[ARGS]", "env var", "[required]")


def _commands() -> list[tuple[str, click.Command]]:
    return [("", cli), *sorted(cli.commands.items())]


def _options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and not p.hidden]


def _english_left(text: str) -> list[str]:
    """click's English words found in ``text`` (as whole words: « TEXTE » is not « TEXT »)."""
    return [word for word in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)]


def test_every_option_has_a_french_and_an_english_name():
    seen = set()
    for name, command in _commands():
        for opt in _options(command):
            longs = tuple(o for o in opt.opts + opt.secondary_opts if o.startswith("--"))
            if len(longs) == 1:
                assert longs[0] in SAME_WORD, (name, longs)
            else:
                assert longs in SPELLINGS, (name, longs)
            seen.add(longs)
    assert {s for s in seen if len(s) > 1} == SPELLINGS  # no spelling listed here is left unused
    assert {s[0] for s in seen if len(s) == 1} == SAME_WORD


def test_one_meaning_per_name():
    # an option name means one thing: the same spellings, type and kind (flag or value) wherever it appears
    meaning: dict[str, tuple] = {}
    for name, command in _commands():
        for opt in _options(command):
            key = opt.opts[-1] if opt.opts[-1].startswith("--") else opt.opts[0]
            what = (tuple(opt.opts), type(opt.type).__name__, opt.is_flag)
            assert meaning.setdefault(key, what) == what, (name, key, what, meaning[key])
    assert "--network" not in meaning  # the road file is --routes: never confused with the aid network --reseau


def test_metavars_are_french():
    for name, command in _commands():
        ctx = click.Context(command, info_name=name or "atlas")
        for param in command.params:
            if getattr(param, "hidden", False) or (isinstance(param, click.Option) and (param.is_flag or param.count)):
                continue
            metavar = param.make_metavar(ctx)
            assert metavar in METAVARS or re.fullmatch(r"\[[a-z-]+(\|[a-z-]+)+\]|\[en-ligne\]", metavar), (name, metavar)


def test_every_command_has_a_french_and_an_english_name():
    names = cli.alias_names  # French name -> other spellings
    assert set(names) == set(cli.commands)
    for french, others in names.items():
        english = others or (french,)
        res = CliRunner().invoke(cli, [english[-1], "--help"])
        assert res.exit_code == 0 and res.output.startswith(f"Utilisation : atlas {french} "), (french, res.output)
    assert CliRunner().invoke(cli, ["géocoder", "--aide"]).exit_code == 0  # accents optional


@pytest.mark.parametrize("name", [""] + sorted(cli.commands))
def test_help_pages_have_no_english_click_string(name):
    args = [name, "--help"] if name else ["--help"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0
    assert "Afficher ce message et quitter." in res.output and "Options :" in res.output
    assert res.output.startswith("Utilisation : atlas")
    assert _english_left(res.output) == []
    short = CliRunner().invoke(cli, [*args[:-1], "-h"]).output
    assert short == res.output


def _bad_values(command: click.Command) -> list[list[str]]:
    """Command lines that fail while click parses them: one bad value per typed option, and more."""
    lines = [["--nope"], ["--regist", "x"]]
    for opt in _options(command):
        if isinstance(opt.type, click.ParamType) and not opt.is_flag and opt.type.name in ("choix", "km", "nombre",
                                                                                           "type", "float"):
            lines.append([opt.opts[0], "zzz-inconnu"])
        if not opt.is_flag and not opt.count:
            lines.append([opt.opts[-1]])  # no value (click names the option, without the usage line)
    if not any(isinstance(p, click.Argument) for p in command.params):
        lines.append(["en-trop"])
    return lines


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_errors_of_click_are_french(name):
    runner = CliRunner()
    command = cli.commands[name]
    for args in _bad_values(command):
        res = runner.invoke(cli, [name, *args])
        assert res.exit_code == 2, (name, args, res.output)
        assert "Erreur : " in res.output and "Traceback" not in res.output, (name, args, res.output)
        if "demande une valeur" not in res.output:
            assert res.output.startswith(f"Utilisation : atlas {name} "), (name, args, res.output)
            assert f"Aide : « atlas {name} --aide »." in res.output
        assert _english_left(res.output) == [], (name, args, res.output)


def test_missing_argument_and_unknown_command_in_french():
    res = CliRunner().invoke(cli, ["geocode"])
    assert res.exit_code == 2
    assert res.output.endswith("Erreur : Argument manquant « REGISTRE ».\n")
    res = CliRunner().invoke(cli, ["zones-blanche"])
    assert res.exit_code == 2 and "Erreur : Commande inconnue : « zones-blanche »." in res.output
    res = CliRunner().invoke(cli, ["gaps", "--mode", "vélo"])
    assert "Erreur : Valeur invalide pour « --mode » : « vélo » n'est pas une valeur possible : " \
           "pied (walk, a-pied), voiture (drive)." in res.output


@pytest.mark.parametrize(("command", "args", "param", "value"), [
    ("gaps", ["--mode", "pied"], "mode", "walk"),
    ("gaps", ["--mode", "VOITURE"], "mode", "drive"),
    ("gaps", ["--mode", "drive"], "mode", "drive"),
    ("gaps", ["--par", "Région"], "by", "region"),
    ("gaps", ["--by", "département"], "by", "dep"),
    ("gaps", ["--type", "épicerie", "--kind", "epicerie solidaire", "--type", "repas"], "kinds",
     ("epicerie", "epicerie", "meal")),
    ("gaps", ["--seuil", "2,5", "--threshold", "10"], "thresholds", (2.5, 10.0)),
    ("suggest", ["--seuil", "5", "--seuil", "10"], "thresholds", (5.0, 10.0)),
    ("print", ["--orientation", "paysage"], "orientation", "landscape"),
    ("print", ["--orientation", "landscape"], "orientation", "landscape"),
    ("print", ["--atlas", "département"], "atlas_by", "dep"),
    ("build", ["--geocodeur", "online"], "geocoder", "en-ligne"),
    ("distances", ["--format", "GeoPackage"], "fmt", "gpkg"),
    ("actors", ["--dessin", "SVG"], "formats", ("svg",)),
])
def test_choices_accept_french_and_english_values(command, args, param, value):
    cmd = cli.get_command(click.Context(cli), command)
    ctx = cmd.make_context(command, list(args))
    assert ctx.params[param] == value


def test_the_catalogue_holds_click_own_strings():
    # a click upgrade that rewords a string makes this fail, instead of leaving it English
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(click.__file__).parent.glob("*.py"))
    strings = {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    missing = [m for m in [*fr.MESSAGES, *(s for pair in fr.PLURALS for s in pair)] if m not in strings]
    assert missing == []


def test_click_stays_english_outside_atlas():
    # the translation is scoped to an atlas run: another click program in the process keeps its words
    @click.command()
    @click.argument("x")
    def other(x):
        pass

    res = CliRunner().invoke(other, [])
    assert "Usage:" in res.output and "Missing argument 'X'." in res.output
    assert fr.gettext_fr("Missing argument") == "Missing argument"
    with fr.french():
        assert fr.gettext_fr("Missing argument") == "Argument manquant"
