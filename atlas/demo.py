"""``atlas demo``: everything atlas does, run on the demonstration registry of ``data/raw``.

Writes the GeoPackage and analysis tables to ``data/processed/`` and the maps to ``maps/``. The
demonstration registry mixes real actors named in the PAT documents (placed at commune level) with
fictitious sites marked « fictif »; every map made from it says « données de démonstration ».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from atlas import settings
from atlas.fr import integer_fr
from atlas.progress import progress

if TYPE_CHECKING:
    from atlas.registry.build import BuildResult

#: Territories printed and mapped by the demo: the two PATs of the documents and the Lens area
#: (where the APSA hands out its A3 paper map).
DEMO_TERRITORIES = {"CABBALR": "cabbalr", "CAPSO": "capso", "CALL": "lens-lievin"}


@dataclass
class DemoResult:
    """Files written by :func:`run_demo`, with one French line per step."""

    files: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def run_demo(processed: Path | None = None, maps: Path | None = None) -> DemoResult:
    """Run every capability on the demonstration registry.

    Parameters
    ----------
    processed : Path, optional
        Folder for built layers and tables (default ``data/processed``).
    maps : Path, optional
        Folder for maps (default ``maps``).

    Returns
    -------
    DemoResult
    """
    from atlas.actors.export import export_all
    from atlas.actors.indicators import compute_indicators, write_indicators
    from atlas.actors.model import build_graph
    from atlas.analysis.coverage import weekly_coverage, weekly_table, write_gaps, zones_blanches
    from atlas.analysis.sites import SiteFilter, select_sites
    from atlas.analysis.suggest import suggest_sites, write_suggestions
    from atlas.inputs import load_registries
    from atlas.io import markdown_table, write_text_atomic
    from atlas.maps.layers import analysis_layers
    from atlas.maps.print.booklet import render_atlas
    from atlas.maps.print.render import render_map
    from atlas.maps.web.actors import write_actors_page
    from atlas.registry.build import build_registries
    from atlas.registry.schema import AID_KINDS
    from atlas.territory.selection import select_territory

    processed = Path(processed or settings.processed_dir())
    maps = Path(maps or settings.maps_dir())
    out = DemoResult()
    state: dict = {}

    def step_build() -> None:
        built = build_registries(output=processed / "atlas.gpkg", partnerships=True)
        state["built"] = built
        out.files.append(processed / "atlas.gpkg")
        out.lines.extend(built.report_lines()[:2])

    def step_gaps() -> None:
        built = state["built"]
        region = select_territory(built.communes)
        state["region"] = region
        sites = select_sites(built.actors, SiteFilter(kinds=AID_KINDS))
        state["sites"] = sites
        zb = zones_blanches(region, sites, thresholds_km=(5, 10, 20))
        for name, by in (("zones_blanches_epci.md", "epci"), ("zones_blanches_departements.csv", "dep")):
            out.files.append(write_gaps(zb, processed / name, by=by))
        out.files.append(write_gaps(zb, processed / "zones_blanches.gpkg", by="epci"))
        week = weekly_table(weekly_coverage(region, select_sites(built.actors), thresholds_km=(10,), by="epci"))
        out.files.append(write_text_atomic(processed / "couverture_semaine_epci.md", markdown_table(week)))
        saturday = zones_blanches(region, select_sites(built.actors, SiteFilter(day="samedi")), thresholds_km=(10,))
        out.files.append(write_gaps(saturday, processed / "zones_blanches_samedi_epci.md", by="epci"))
        uncovered, total = int(zb.frame["pop_uncovered_10km"].sum()), int(zb.frame["population"].sum())
        out.lines.append(f"Zones blanches à 10 km (registre de démonstration) : {integer_fr(uncovered)} habitants sur "
                         f"{integer_fr(total)} sans lieu d'aide alimentaire à moins de 10 km")

    def step_suggest() -> None:
        ranked = suggest_sites(state["region"], state["sites"], thresholds_km=(10.0,), k=5)
        out.files.append(write_suggestions(ranked, processed / "suggestions_10km.md"))

    def step_actors() -> None:
        built, parts, acts = load_registries()
        state["parts"], state["acts"] = parts, acts
        written, _ = export_all(built.actors, parts.accepted, acts.accepted, maps / "acteurs",
                                communes=built.communes, formats=("png", "pdf", "svg"))
        out.files.extend(written.values())
        out.files.append(write_actors_page(built.actors, parts.accepted, acts.accepted, maps / "acteurs.html"))
        graph = build_graph(built.actors, parts.accepted, acts.accepted)
        territory = select_territory(built.communes, epci=["CABBALR", "CAPSO"])
        table = compute_indicators(territory, built.actors, parts.accepted, graph, actions=acts.accepted)
        out.files.append(write_indicators(table, processed / "indicateurs.md"))

    def step_print() -> None:
        built = state["built"]
        # a hand-out for the public: no partnership lines (they belong to the actors map)
        layers = analysis_layers(select_territory(built.communes), built.actors, zones_blanches_km=10, access=False)
        for code, stem in DEMO_TERRITORIES.items():
            territory = select_territory(built.communes, epci=code)
            out.files.append(render_map(territory, built.actors, output=maps / f"{stem}.pdf", layers=layers))
        pas_de_calais = select_territory(built.communes, dep="62")
        out.files.append(render_atlas(pas_de_calais, built.actors, by="epci",
                                      output=maps / "atlas-epci-pas-de-calais.pdf"))

    def step_web() -> None:
        out.files.extend(write_demo_webmaps(state["built"], maps))

    steps: list[tuple[str, Callable[[], None]]] = [
        ("registres", step_build), ("zones blanches", step_gaps), ("suggestions", step_suggest),
        ("acteurs", step_actors), ("cartes A3", step_print), ("cartes web", step_web),
    ]
    for _, step in progress(steps, label="Démonstration"):
        step()
    return out


def write_demo_webmaps(built: BuildResult, maps: Path) -> list[Path]:
    """The demo's web maps: the whole region, then each of :data:`DEMO_TERRITORIES`, each named
    after its territory (its sites numbered as on the territory's A3 sheet).

    Parameters
    ----------
    built : atlas.registry.build.BuildResult
        The demonstration registry built (``communes``, ``actors``).
    maps : Path
        Folder of the maps.

    Returns
    -------
    list of Path
        ``carte-hauts-de-france.html`` then ``carte-<territory>.html``.
    """
    from atlas.maps.layers import analysis_layers
    from atlas.maps.web.render import write_webmap
    from atlas.territory.selection import select_territory

    communes, actors = built.communes, built.actors
    region = select_territory(communes)
    layers = analysis_layers(region, actors, zones_blanches_km=10, access=True, partnerships=True)
    files = [write_webmap(region, actors, output=Path(maps) / "carte-hauts-de-france.html", layers=layers, clip=False)]
    for code, stem in DEMO_TERRITORIES.items():
        territory = select_territory(communes, epci=code)
        files.append(write_webmap(territory, actors, output=Path(maps) / f"carte-{stem}.html", layers=layers))
    return files
