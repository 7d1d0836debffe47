"""``atlas tournee`` (``round``): a mobile truck's week — which stops, in which order, on which day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from atlas.cli.errors import handle_errors
from atlas.cli.french import command
from atlas.cli.inputs import analysis_inputs
from atlas.cli.options import KM, Whole, format_option, network_options, option, output_option, site_options
from atlas.cli.suggest import METHOD
from atlas.errors import AtlasError


def _depot(territory: Any, points: Any, value: str) -> Any:
    """The depot: a commune of the territory, by INSEE code or name."""
    from atlas.fr import join_fr

    key = value.strip()
    hit = points[points["insee"].astype(str) == key]
    if len(hit) == 0:
        hit = points[points["name"].astype(str).str.casefold() == key.casefold()]
    if len(hit) != 1:
        close = [n for n in points["name"].astype(str) if n.casefold().startswith(key[:4].casefold())][:5]
        hint = f" (proches : {join_fr(close, 'ou')})" if close else ""
        raise AtlasError(f"dépôt « {value} » introuvable parmi les communes du territoire{hint}")
    return hit


def round_markdown(rnd: Any, name: str) -> str:
    """The round for people: settings, the gap, the days, the schedule."""
    from atlas.analysis.rounds import schedule_table
    from atlas.fr import integer_fr, join_fr, number_fr
    from atlas.io import markdown_table

    s = rnd.settings
    lines = [f"# Tournée « {name} » ({join_fr(s['days'])})", "",
             f"{s['stops_per_day']} arrêts par jour au plus, {number_fr(s['stop_min'])} min à chaque arrêt, "
             f"{number_fr(s['max_drive_min'])} min de conduite par jour au plus (trajets {s['drive']}), départ "
             f"{s['start']} ; un arrêt met à portée les habitants à moins de {number_fr(s['threshold_km'])} km.",
             f"Population des zones blanches du jour mise à portée, sur la semaine : "
             f"{integer_fr(rnd.solution.value)}.", rnd.solution.sentence(), "", ""]
    return "\n".join(lines) + markdown_table(schedule_table(rnd))


@command("tournee")
@option("--depot", "depot", required=True, metavar="CODE",
        help="Dépôt du camion : commune du territoire (code INSEE ou nom), départ et retour chaque jour.")
@option("--jours", "--days", "days", required=True, metavar="JOURS",
        help="Jours de tournée, séparés par des virgules (lundi,jeudi).")
@option("--arrets-par-jour", "--stops-per-day", "stops", type=Whole(1), default=5, metavar="NOMBRE",
        help="Arrêts par jour au plus (défaut : 5).")
@option("--conduite-max", "--max-drive", "max_drive", type=float, default=180.0, metavar="MINUTES",
        help="Temps de conduite par jour au plus, dépôt compris, arrêts non compris (défaut : 180 min).")
@option("--duree-arret", "--stop-time", "stop_min", type=float, default=60.0, metavar="MINUTES",
        help="Temps passé à chaque arrêt (défaut : 60 min).")
@option("--depart", "--start", "start", default="09:00", metavar="HEURE", help="Départ du dépôt (défaut : 09:00).")
@option("--vitesse", "--speed", "speed", type=float, default=50.0, metavar="KMH",
        help="Sans --routes : vitesse moyenne du camion (défaut : 50 km/h).")
@option("--detour", "detour", type=float, default=1.3, metavar="FACTEUR",
        help="Sans --routes : distance par la route = distance à vol d'oiseau × FACTEUR (défaut : 1,3).")
@option("--seuil", "--threshold", "threshold", type=KM, default=10.0, metavar="KM",
        help="Un arrêt met à portée les habitants à moins de KM km (défaut : 10).")
@option("--methode", "--method", "method", type=METHOD, default="greedy",
        help="glouton (défaut, avec son écart prouvé à l'optimum) ou exacte (petits territoires : 16 lieux utiles "
             "au plus).")
@option("--identifiant", "--route-id", "route_id", default=None, metavar="TEXTE",
        help="Identifiant du camion dans le registre (défaut : tournee-<dépôt>).")
@option("--nom", "--name", "name", default=None, metavar="TEXTE", help="Nom du camion (défaut : Camion solidaire).")
@option("--lignes", "--rows", "rows", type=click.Path(dir_okay=False, path_type=Path), default=None,
        metavar="FICHIER", help="Écrire la tournée en lignes de registre (CSV : le camion et ses arrêts, jours et "
                                "horaires), à ajouter au registre ; relues par zones-blanches --semaine.")
@format_option("csv", "md")
@output_option("Horaires de la tournée à écrire (.csv : jour, ordre, commune, arrivée, départ ; ou .md).")
@network_options
@site_options
@handle_errors
def round_command(depot: str, days: str, stops: int, max_drive: float, stop_min: float, start: str, speed: float,
                  detour: float, threshold: float, method: str, route_id: str | None, name: str | None,
                  rows: Path | None, fmt: str | None, output: Path | None, **opts: Any) -> None:
    """Tournée d'un camion itinérant sur la semaine : les arrêts qui mettent à portée le plus d'habitants des zones
    blanches de chaque jour, dans l'ordre, avec leurs horaires."""
    from atlas.analysis.distances import commune_origins
    from atlas.analysis.rounds import Truck, plan_round, registry_rows, schedule_table
    from atlas.io import csv_text, write_output

    day_list = [d.strip() for d in days.split(",") if d.strip()]
    _, territory, sites, origins, network = analysis_inputs(opts)
    points = commune_origins(territory)
    home = _depot(territory, points, depot)
    truck = Truck(depot=home, days=day_list, stops_per_day=stops, max_drive_min=max_drive, stop_min=stop_min,
                  start=start, detour=detour, speed_kmh=speed)
    rnd = plan_round(points if origins is None else origins, points, truck=truck, sites=sites, threshold_km=threshold,
                     network=network, method=method)
    label = name or "Camion solidaire"
    if rows is not None:
        ident = route_id or f"tournee-{home['insee'].iloc[0]}"
        table = registry_rows(rnd, route_id=ident, name=label, depot_insee=str(home["insee"].iloc[0]),
                              depot_commune=str(home["name"].iloc[0]))
        _write_rows(rows, table)
        click.echo(f"Lignes de registre écrites : {rows} ({len(table)} lignes : le camion et ses arrêts)", err=True)
    if output is None:
        click.echo(round_markdown(rnd, label) if fmt in (None, "md") else csv_text(schedule_table(rnd)), nl=False)
        return
    path = write_output(output, fmt, error=AtlasError, csv=lambda: schedule_table(rnd),
                        md=lambda: round_markdown(rnd, label))
    click.echo(f"Horaires écrits : {path} ({len(rnd.stops)} arrêts). {rnd.solution.sentence()}")


def _write_rows(path: Path, table: Any) -> None:
    """Registry rows as a plain CSV (comma, UTF-8), the registry's own dialect, written atomically."""
    from atlas.io import write_text_atomic

    write_text_atomic(path, table.to_csv(index=False))
