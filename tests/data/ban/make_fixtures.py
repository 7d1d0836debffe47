"""Write the BAN-format fixtures of this folder (run once; the files are committed).

    python tests/data/ban/make_fixtures.py

Real INSEE codes, postcodes and commune names; made-up streets, numbers and coordinates (see README.md).
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import unicodedata
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent
COLUMNS = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;"
    "nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;"
    "source_nom_voie;certification_commune;cad_parcelles"
).split(";")
TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)

# (insee, commune, postcode, former insee, former name, street, alias, nom_ld, origin x, y, angle (deg), numbers)
STREETS = [
    ("62498", "Lens", "62300", "", "", "Rue Jean Jaurès", "", "", 687000, 7038000, 20,
     [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, "12 bis", 13, 14, 15, 16]),
    ("62498", "Lens", "62300", "", "", "Boulevard Émile Basly", "", "", 687300, 7038200, 110, list(range(1, 21))),
    ("62498", "Lens", "62300", "", "", "Place de la République", "", "", 686900, 7037800, 0, [1, 2, 3, 4, 5, 6]),
    ("62498", "Lens", "62300", "", "", "Rue de l'Église", "Rue du Presbytère", "", 687200, 7037700, 60, [1, 3, 5, 7]),
    ("62498", "Lens", "62300", "", "", "Rue du 11 Novembre 1918", "", "", 686700, 7038300, 150, [2, 4, 6, 8]),
    ("62510", "Liévin", "62800", "", "", "Rue Jean Jaurès", "", "", 683700, 7036300, 80, [2, 4, 6]),
    ("62510", "Liévin", "62800", "", "", "Le Riaumont", "", "", 683100, 7035900, 0, [99999]),
    ("62510", "Liévin", "62800", "", "", "Chemin Vert", "", "Hameau de Rollencourt", 684300, 7036900, 30,
     [1, 2, 3, 4, 5]),
    ("59350", "Lille", "59000", "", "", "Rue de la République", "", "", 703900, 7059200, 45, list(range(1, 11))),
    ("59350", "Lille", "59160", "59355", "Lomme", "Avenue de Dunkerque", "", "", 699500, 7059500, 100,
     [300, 301, 302, 304, 305, 306, 307, 308, 309, 310, 311]),
    ("59350", "Lille", "59160", "59355", "Lomme", "Rue Roger Salengro", "", "", 699300, 7059100, 10, list(range(1, 11))),
    ("59350", "Lille", "59260", "59298", "Hellemmes-Lille", "Rue Roger Salengro", "", "", 707500, 7058500, 170,
     list(range(1, 21))),
]  # fmt: skip


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    return s.replace("'", " ")


def rows() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for k, (insee, name, pc, old, old_name, street, alias, ld, x0, y0, angle, numbers) in enumerate(STREETS):
        fantoir = f"{insee}_{k + 1:04d}"
        a = math.radians(angle)
        for num in numbers:
            n, _, rep = str(num).partition(" ")
            n = int(n)
            along = 0 if n == 99999 else n * 8.0
            side = 0 if n == 99999 else (9.0 if n % 2 else -9.0)
            x = x0 + math.cos(a) * along - math.sin(a) * side
            y = y0 + math.sin(a) * along + math.cos(a) * side
            lon, lat = TO_WGS84.transform(x, y)
            out.setdefault(insee[:2], []).append({
                "id": f"{fantoir}_{n:05d}" + (f"_{rep}" if rep else ""), "id_fantoir": fantoir, "numero": n,
                "rep": rep, "nom_voie": street, "code_postal": pc, "code_insee": insee, "nom_commune": name,
                "code_insee_ancienne_commune": old, "nom_ancienne_commune": old_name, "x": f"{x:.2f}",
                "y": f"{y:.2f}", "lon": f"{lon:.6f}", "lat": f"{lat:.6f}",
                "type_position": "segment" if n == 99999 else "entrée", "alias": alias, "nom_ld": ld,
                "libelle_acheminement": _fold(old_name or name), "nom_afnor": _fold(street), "source_position": "commune",
                "source_nom_voie": "commune", "certification_commune": "1", "cad_parcelles": "",
            })  # fmt: skip
    return out


def _csv(records: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, delimiter=";", lineterminator="\n")
    w.writeheader()
    w.writerows(records)
    return buf.getvalue()


def main() -> None:
    by_dep = rows()
    (HERE / "adresses-62.csv").write_text(_csv(by_dep["62"]), encoding="utf-8")
    with gzip.GzipFile(HERE / "adresses-59.csv.gz", "wb", mtime=0) as fh:  # mtime=0: same bytes every run
        fh.write(_csv(by_dep["59"]).encode("utf-8"))


if __name__ == "__main__":
    main()
