"""click's own words in French: usage, ``--help``, and the errors click raises by itself.

click writes its own strings (« Usage: », « Show this message and exit. », « Error: Invalid value
for '--mode' … », « Missing argument », « No such option », « Got unexpected extra argument »…)
through :func:`gettext.gettext`, which every click module binds at import as ``_`` (and
``ngettext``). They are put into French here by a small catalogue (:data:`MESSAGES`,
:data:`PLURALS`), keyed by click's own English sentences.

Why not a gettext ``.mo`` catalogue: click uses gettext's *default* domain, so a catalogue would
have to be installed process-wide and would only be read under a French locale (servers and CI
run ``C.UTF-8``: atlas would speak English there), while translating the strings of every other
program of the process. Instead, :func:`install` replaces click's ``_``/``ngettext`` by
:func:`gettext_fr`/:func:`ngettext_fr`, which translate only while an atlas command runs
(:meth:`FrenchGroup.main` sets :data:`_ACTIVE`) and hand every other string back untouched: a
notebook or another click program in the same process keeps click's English. The tests check
that every key of the catalogue is still a string of the installed click (an upgrade that
rewords one fails loudly) and walk the whole command tree for English left over.

The classes (:class:`FrenchContext`, :class:`FrenchCommand`, :class:`FrenchGroup`,
:class:`FrenchOption`, :class:`FrenchArgument`) add what is not a gettext string: French
headings with the French space before the colon (« Options : »), « Utilisation : », parameters
named in « » in errors, commands found by their French or English name.
"""

from __future__ import annotations

import contextvars
import gettext
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types
import click.utils

#: click's sentences (as written in its source, placeholders included) and their French.
MESSAGES: dict[str, str] = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Afficher ce message et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "défaut : {default}",
    "env var: {var}": "variable d'environnement : {var}",
    "required": "obligatoire",
    "(dynamic)": "(calculé)",
    "deprecated": "obsolète",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Aide : « {command} {option} ».",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing {param_type}": "Paramètre manquant ({param_type})",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing command.": "Commande manquante.",
    "No such option {name!r}.": "Option inconnue : « {name} ».",
    "No such command {name!r}.": "Commande inconnue : « {name} ».",
    "Option {name!r} does not take a value.": "L'option « {name} » ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument « {name} » prend {nargs} valeurs.",
    "Invalid start character for option ({option})": "Caractère initial invalide pour une option ({option})",
    "Value must be an iterable.": "La valeur doit être une suite de valeurs.",
    "Aborted!": "Interrompu.",
    "{value!r} is not a valid {number_type}.": "« {value} » n'est pas un nombre valide.",
    "{value} is not in the range {range}.": "{value} est hors de l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "« {value} » n'est pas un booléen valide. Valeurs reconnues : {states}",
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valide.",
    "{name} {filename!r} does not exist.": "« {filename} » n'existe pas.",
    "{name} {filename!r} is a file.": "« {filename} » est un fichier (un dossier est attendu).",
    "{name} {filename!r} is a directory.": "« {filename} » est un dossier (un fichier est attendu).",
    "{name} {filename!r} is not readable.": "« {filename} » n'est pas lisible.",
    "{name} {filename!r} is not writable.": "« {filename} » n'est pas modifiable.",
    "{name} {filename!r} is not executable.": "« {filename} » n'est pas exécutable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir « {filename} » : {message}",
    "unknown error": "erreur inconnue",
    "Choose from:\n\t{choices}": "Valeurs possibles :\n\t{choices}",
    "Do you want to continue?": "Continuer ?",
    "Confirm the action without prompting.": "Confirmer sans demander.",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
}  # fmt: skip

#: click's singular/plural sentences and their French (singular, plural).
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argument en trop : {args}", "Arguments en trop : {args}"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("L'option « {name} » demande une valeur.", "L'option « {name} » demande {nargs} valeurs."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Prend {nargs} valeurs, mais une seule a été donnée.", "Prend {nargs} valeurs, mais {len} ont été données."),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire l'une de : {possibilities} ?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("« {value} » n'est pas {choice}.", "« {value} » n'est pas l'une des valeurs {choices}."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} valeurs sont demandées, {len_value} a été donnée.",
         "{len_type} valeurs sont demandées, {len_value} ont été données."),
}  # fmt: skip

#: True while an atlas command runs (set by :meth:`FrenchGroup.main`): only then is click French.
_ACTIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("atlas_cli_french", default=False)

#: The click modules that bind ``_`` and ``ngettext`` at import.
_CLICK_MODULES = (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                  click.types, click.utils)


def gettext_fr(message: str) -> str:
    """click's ``_``: the French of ``message`` while an atlas command runs, else gettext's."""
    if _ACTIVE.get():
        return MESSAGES.get(message, message)
    return gettext.gettext(message)


def ngettext_fr(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext``: the French of the sentence while an atlas command runs, else gettext's."""
    if _ACTIVE.get():
        french = PLURALS.get((singular, plural))
        if french is not None:
            return french[0] if n == 1 else french[1]
    return gettext.ngettext(singular, plural, n)


def install() -> None:
    """Route click's strings through :func:`gettext_fr` and :func:`ngettext_fr` (idempotent)."""
    for module in _CLICK_MODULES:
        if hasattr(module, "_"):
            module._ = gettext_fr  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext_fr  # type: ignore[attr-defined]
    english = getattr(click.exceptions, "_format_possibilities", None)
    if english is not None and not getattr(english, "atlas_french", False):
        # « Did you mean '--mode'? » quotes the names with repr() before the sentence is translated
        def possibilities_fr(possibilities: list[str]) -> str:
            if not _ACTIVE.get():
                return english(possibilities)
            names = ", ".join(f"« {p} »" for p in sorted(possibilities))
            return f"Vouliez-vous dire {names} ?" if len(possibilities) == 1 else f"(Vouliez-vous dire : {names} ?)"

        possibilities_fr.atlas_french = True  # type: ignore[attr-defined]
        click.exceptions._format_possibilities = possibilities_fr  # type: ignore[attr-defined]


@contextmanager
def french() -> Iterator[None]:
    """Within the block, click speaks French (what :meth:`FrenchGroup.main` does around a run)."""
    token = _ACTIVE.set(True)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def fold(text: str) -> str:
    """Lower-case, accents off (« Région » -> ``region``): how names and values typed are compared."""
    import unicodedata

    ligatures = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"})
    decomposed = unicodedata.normalize("NFKD", text.translate(ligatures))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class FrenchFormatter(click.HelpFormatter):
    """Help pages with French headings: « Options : », « Commandes : », « Utilisation : »."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading} :\n")

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else "Utilisation : ")


class FrenchContext(click.Context):
    """A context whose help pages are written by :class:`FrenchFormatter`."""

    formatter_class = FrenchFormatter


def _quoted(names: Sequence[str]) -> str:
    return " / ".join(f"« {n} »" for n in names)


class FrenchOption(click.Option):
    """An option named in « » in error messages (« Valeur invalide pour « --mode » / « --mode » »)."""

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return _quoted(self.opts or [self.human_readable_name])


class FrenchArgument(click.Argument):
    """An argument named by its metavar in « » in error messages (« Argument manquant « REGISTRE » »)."""

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return _quoted([self.make_metavar(ctx) if ctx is not None else self.human_readable_name])


def _help_names_in_order(names: list[str], ctx: click.Context) -> list[str]:
    """click returns the help option's names from a set: keep the order they were given in (« -h, --aide, --help »)."""
    return [n for n in ctx.help_option_names if n in names]


class FrenchCommand(click.Command):
    """A command in French: its context, its ``[OPTIONS]`` metavar, its help option's names in order."""

    context_class = FrenchContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[OPTIONS]")
        super().__init__(*args, **kwargs)

    def get_help_option_names(self, ctx: click.Context) -> list[str]:
        return _help_names_in_order(super().get_help_option_names(ctx), ctx)


class FrenchGroup(click.Group):
    """The ``atlas`` group: click in French while it runs; commands found by a French or English name.

    A command is registered with :meth:`add_command` under its French name (shown first in
    ``--help``) and reached by its English alias too (``atlas zones-blanches`` = ``atlas gaps``);
    names are compared without case or accents (``atlas géocoder``).
    """

    context_class = FrenchContext
    command_class = FrenchCommand

    def get_help_option_names(self, ctx: click.Context) -> list[str]:
        return _help_names_in_order(super().get_help_option_names(ctx), ctx)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        kwargs.setdefault("options_metavar", "[OPTIONS]")
        super().__init__(*args, **kwargs)
        #: every accepted spelling (folded) -> the command's name
        self.aliases: dict[str, str] = {}
        #: the command's name -> its other spellings, as shown in --help
        self.alias_names: dict[str, tuple[str, ...]] = {}

    def add_command(self, cmd: click.Command, name: str | None = None, aliases: Sequence[str] = ()) -> None:
        super().add_command(cmd, name)
        key = name or cmd.name or ""
        self.alias_names[key] = tuple(aliases)
        for spelling in (key, *aliases):
            self.aliases[fold(spelling)] = key

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(fold(cmd_name), cmd_name))

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name, cmd, rest = super().resolve_command(ctx, args)
        return (cmd.name if cmd is not None else name), cmd, rest

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            shown = ", ".join((name, *self.alias_names.get(name, ())))
            rows.append((shown, cmd.get_short_help_str(limit=formatter.width - 6 - len(shown))))
        if rows:
            with formatter.section(gettext_fr("Commands")):
                formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with french():
            return super().main(*args, **kwargs)


def command(name: str, **kwargs: Any) -> Any:
    """``click.command`` for atlas: a :class:`FrenchCommand` named by its French name."""
    return click.command(name, cls=FrenchCommand, **kwargs)
