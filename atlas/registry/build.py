"""``atlas build``: validate and join the registries, write the GeoPackage of ``data/processed``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from atlas import settings
from atlas.io import atomic_outputs, write_csv_excel, write_gpkg
from atlas.registry.actors import read_actors
from atlas.registry.geocoding.rows import ban_index
from atlas.registry.partnerships import load_partnerships, partnership_lines
from atlas.registry.publication import Audience, hidden_warnings, publication_lines, publication_table
from atlas.registry.results import RegistryResult
from atlas.territory.reference import departement_polygons, epci_polygons, load_communes

DEFAULT_GPKG = "atlas.gpkg"


@dataclass
class BuildResult:
    """Layers built from the reference territory and the registries."""

    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    actors: gpd.GeoDataFrame
    rejects: pd.DataFrame
    warnings: pd.DataFrame
    registries: list[RegistryResult] = field(default_factory=list)
    output: Path | None = None
    partnerships: RegistryResult | None = None
    actions: RegistryResult | None = None
    audience: Audience = field(default_factory=Audience)
    #: Sites read, shown, counted and hidden per status and visibility (:func:`publication_table`).
    publication: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: One row per site left off the maps, and why (:func:`hidden_warnings`); also in ``warnings``.
    hidden: pd.DataFrame = field(default_factory=pd.DataFrame)

    def report_lines(self) -> list[str]:
        """French summary for the CLI."""
        lines = []
        for r in [*self.registries, *(r for r in (self.actions, self.partnerships) if r is not None)]:
            lines += [r.summary(), *r.sheet_lines()]
        lines.append(
            f"Territoire : {len(self.communes)} communes, {len(self.epci)} EPCI, "
            f"{len(self.departements)} départements ; {len(self.actors)} acteurs acceptés, "
            f"{len(self.rejects)} lignes rejetées."
        )
        if self.output:
            lines.append(f"GeoPackage écrit : {self.output}")
            lines.append(f"Rejets et avertissements (pour Excel) : {self.output.stem}-rejets.csv, "
                         f"{self.output.stem}-avertissements.csv")
        return lines + self.reject_lines() + self.publication_lines()

    def publication_lines(self, limit: int = 20) -> list[str]:
        """French lines: sites per status and visibility, stale sites, one line per hidden site."""
        if not len(self.publication):
            return []
        return publication_lines(self.publication, self.hidden, audience=self.audience, limit=limit)

    def reject_lines(self, limit: int = 20) -> list[str]:
        """French lines listing the rejected rows (file, line, reason), at most ``limit``."""
        if not len(self.rejects):
            return []
        lines = ["Lignes rejetées (fichier, ligne, raison) :"]
        for _, r in self.rejects.head(limit).iterrows():
            lines.append(f"  {where_fr(r)} : {r['reason']}")
        if len(self.rejects) > limit:
            where = "couche « rejects » du GeoPackage" if self.output else "atlas build pour la liste complète"
            lines.append(f"  … et {len(self.rejects) - limit} autres ({where}).")
        return lines


def where_fr(row: pd.Series) -> str:
    """« registre.xlsx, feuille « Registre », ligne 12 » (the sheet only for rows of a workbook)."""
    sheet = str(row.get("sheet", "") or "")
    sheet = f", feuille « {sheet} »" if sheet and sheet != "nan" else ""
    return f"{Path(str(row['file'])).name}{sheet}, ligne {row['line']}"


def default_registries() -> list[Path]:
    """The demonstration registry of ``data/raw``."""
    return [settings.raw_dir() / "actors.csv"]


def combine_registries(results: list[RegistryResult]) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Concatenate accepted, rejected and warning rows of several registries.

    An id already accepted from an earlier registry makes the later row a reject (« identifiant
    en double »), so every row read is still accounted for.
    """
    accepted, rejects, warns = [], [], []
    seen: dict[str, str] = {}
    for res in results:
        acc = res.accepted.copy()
        acc["file"] = res.path
        dup = acc["id"].isin(seen.keys())
        if dup.any():
            extra = pd.DataFrame({
                "line": acc.loc[dup, "line"].to_numpy(),
                "reason": [f"identifiant en double : « {i} » (déjà dans {seen[i]})" for i in acc.loc[dup, "id"]],
                "id": acc.loc[dup, "id"].to_numpy(),
                "name": acc.loc[dup, "name"].to_numpy(),
            })
            extra["file"] = res.path
            rejects.append(extra)
            acc = acc[~dup]
        seen.update(dict.fromkeys(acc["id"], Path(res.path).name))
        accepted.append(acc)
        rej = res.rejected.astype(str).copy()
        rej["line"] = res.rejected["line"].to_numpy()
        rej.insert(0, "file", res.path)
        rejects.append(rej)
        w = res.warnings.copy()
        w.insert(0, "file", res.path)
        warns.append(w)
    actors = gpd.GeoDataFrame(pd.concat(accepted, ignore_index=True), geometry="geometry", crs=accepted[0].crs)
    rej = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=["file", "line", "reason"])
    head = ["file", "line", *(["sheet"] if "sheet" in rej.columns else []), "reason"]
    rej = rej[[*head, *[c for c in rej.columns if c not in head]]]
    return actors, rej.fillna(""), pd.concat(warns, ignore_index=True)


def build_registries(
    registries: list[str | Path] | None = None,
    *,
    mappings: list[str | None] | None = None,
    output: str | Path | None = None,
    reference: str | Path | None = None,
    write: bool = True,
    partnerships: str | Path | bool | None = None,
    actions: str | Path | None = None,
    audience: Audience | None = None,
    **reading: Any,
) -> BuildResult:
    """Validate and join registries to the reference territory; write ``data/processed/atlas.gpkg``.

    Parameters
    ----------
    registries : list of paths, optional
        Actor registries (default: the demonstration registry ``data/raw/actors.csv``).
    mappings : list, optional
        Column mapping for each registry, in order (preset name, JSON path, or None).
    output : path, optional
        GeoPackage to write (default ``data/processed/atlas.gpkg``).
    reference : str, optional
        Reference territory source (see :func:`atlas.territory.reference.load_communes`).
    write : bool
        Write the GeoPackage (False to only compute).
    partnerships : path or bool, optional
        Partnerships registry to validate too (``True``: the demonstration one), written as the
        layers ``partnerships``, ``partnership_lines`` (between located actors) and ``actions``;
        its rejected rows join the ``rejects`` layer.
    actions : path, optional
        Actions/collectifs registry (default: ``actions.csv`` beside the partnerships).
    audience : Audience, optional
        Who the maps are for (:class:`atlas.registry.publication.Audience`: professionals, drafts,
        freshness limit): the report and the ``publication`` layer count, per status and visibility,
        the sites read, shown, counted and hidden, and every hidden site gets a warning. Every
        accepted actor stays in the ``actors`` layer (closed ones as closed).
    **reading
        Options of :func:`atlas.registry.actors.read_actors` for every registry: ``sheet`` (sheets
        to read in workbooks; default every sheet with a name column), ``ban`` (BAN département
        file or folder: rows without coordinates but with an address are placed at it, the index
        read once for every registry, :mod:`atlas.registry.geocoding.rows`) and ``geocoder``
        (``"en-ligne"``: also ask the BAN's online geocoder, never called without it).

    Returns
    -------
    BuildResult

    Examples
    --------
    >>> import atlas
    >>> built = atlas.build_registries(write=False)
    >>> len(built.communes), len(built.actors), len(built.rejects)
    (3782, 190, 0)
    """
    paths = [Path(p) for p in (registries or default_registries())]
    maps = list(mappings or [])
    maps += [None] * (len(paths) - len(maps))
    communes = load_communes(reference)
    reading = {**reading, "ban": ban_index(reading.get("ban"))}
    results = []
    for path, mapping in zip(paths, maps, strict=True):
        results.append(read_actors(path, mapping=mapping, communes=communes, **reading))
    actors, rejects, warns = combine_registries(results)
    epci = epci_polygons(communes)
    deps = departement_polygons(communes)
    out = BuildResult(communes, epci, deps, actors, rejects, warns, results, audience=audience or Audience())
    out.publication = publication_table(actors, out.audience)
    out.hidden = hidden_warnings(actors, out.audience)
    if len(out.hidden):
        out.warnings = pd.concat([warns, out.hidden], ignore_index=True)
    layers: dict[str, pd.DataFrame] = {}
    if partnerships:
        parts, acts = load_partnerships(actors, None if partnerships is True else partnerships, actions)
        out.partnerships, out.actions = parts, acts
        extra_rejects, extra_warns = [], []
        for res in (acts, parts):
            extra_rejects.append(res.rejected.astype(str).assign(line=res.rejected["line"].to_numpy(), file=res.path))
            extra_warns.append(res.warnings.assign(file=res.path))
        out.rejects = pd.concat([rejects, *extra_rejects], ignore_index=True).fillna("")
        out.warnings = pd.concat([out.warnings, *extra_warns], ignore_index=True).fillna("")
        layers = {"partnerships": parts.accepted, "actions": acts.accepted,
                  "partnership_lines": partnership_lines(parts.accepted, actors)}
    if write:
        target = Path(output) if output else settings.processed_dir() / DEFAULT_GPKG
        # the GeoPackage and, beside it, the same rejects and warnings as CSV for Excel: one set, replaced
        # together (a run stopped half-way leaves the previous set whole)
        with atomic_outputs(output_set(target)) as (gpkg, rejects_csv, warnings_csv):
            write_gpkg(gpkg, {
                "communes": communes, "epci": epci, "departements": deps,
                "actors": actors, **layers, "rejects": out.rejects, "warnings": out.warnings,
                "publication": out.publication,
            })
            write_csv_excel(rejects_csv, out.rejects)
            write_csv_excel(warnings_csv, out.warnings)
        out.output = target
    return out


def load(
    registry: str | Path | None = None,
    *,
    partnerships: str | Path | bool | None = None,
    actions: str | Path | None = None,
    mapping: str | None = None,
    reference: str | Path | None = None,
    audience: Audience | None = None,
    output: str | Path | None = None,
    **reading: Any,
) -> BuildResult:
    """The one-call start: an actor registry, its partnerships and actions, read and checked.

    Sibling files are found as the command line finds them: ``partnerships.csv`` beside the
    registry, ``actions.csv`` beside the partnerships; with no registry, the demonstration
    registry and its partnerships. Nothing is written unless ``output`` is given.

    Parameters
    ----------
    registry : path, optional
        Actor registry (CSV, XLSX/XLS/ODS, GeoJSON, GeoPackage, Soliguide export); default the
        demonstration registry.
    partnerships : path or bool, optional
        Partnerships registry (default: ``partnerships.csv`` beside the registry when it exists;
        ``False`` for none).
    actions : path, optional
        Actions/collectifs registry (default: ``actions.csv`` beside the partnerships).
    mapping : str, optional
        Column mapping of ``registry`` (preset name or JSON file).
    reference : str, optional
        Reference territory source (:func:`atlas.territory.reference.load_communes`).
    audience : Audience, optional
        Who the outputs are for (:func:`build_registries`).
    output : path, optional
        GeoPackage to write as ``atlas build`` writes it.
    **reading
        ``sheet``, ``ban``, ``geocoder``, as for :func:`build_registries`.

    Returns
    -------
    BuildResult
        ``communes``, ``actors``, ``partnerships`` and ``actions`` (:class:`RegistryResult`,
        accepted and rejected rows), ``rejects``, ``warnings``.

    Examples
    --------
    >>> import atlas
    >>> built = atlas.load()
    >>> len(built.actors), len(built.partnerships.accepted), len(built.actions.accepted)
    (190, 333, 86)
    """
    if partnerships is None:
        sibling = Path(registry).parent / "partnerships.csv" if registry is not None else None
        partnerships = sibling if sibling is not None and sibling.exists() else registry is None
    return build_registries([registry] if registry is not None else None,
                            mappings=[mapping] if mapping else None, output=output, reference=reference,
                            write=output is not None, partnerships=partnerships, actions=actions,
                            audience=audience, **reading)


def output_set(target: Path) -> list[Path]:
    """The files ``atlas build -o target`` writes: the GeoPackage, its rejects and its warnings (CSV)."""
    return [target, *(target.with_name(f"{target.stem}-{name}.csv") for name in ("rejets", "avertissements"))]
