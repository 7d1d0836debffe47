"""Benchmark of the offline BAN geocoder (not collected by pytest; run it by hand).

    python tests/benchmarks/bench_ban.py               # ~1,000,000 rows (a few minutes)
    python tests/benchmarks/bench_ban.py --rows 100000 # smaller, for a smoke run

The BAN files cannot be downloaded here, so a département file is synthesised in the BAN format
(deterministic: fixed seeds): ~650 communes over the Nord's extent, some with former communes,
streets named from a vocabulary where the same names recur across communes (« Rue Jean Jaurès »)
and near-names sit in the same commune (« Rue Jean Moulin »), house numbers with bis/ter, lieux-dits
without numbers (``numero`` 99999) and ``nom_ld`` on some addresses. Written as ``adresses-59.csv.gz``.

Measures:

1. Index build (first use: read the .csv.gz, normalise, write the Parquet cache) in a fresh child
   process: wall time and peak memory (``ru_maxrss``, the interpreter and its imports included);
   targets ≤ 60 s, ≤ 2 GB. Then loading the cached index in another fresh process.
2. Geocoding 1,000 addresses against the loaded index (first batch: includes the per-index
   preparation of street and lieu-dit tables; second batch: 1,000 other addresses); target ≤ 5 s.
3. Match quality on a test set built from rows of the file, one block per perturbation:
   exact text, abbreviations and case (« r. jean jaures »), one typo in the name, initials
   (« R. J. Jaurès »), another street type, number absent from the BAN, no number, a former
   commune's INSEE code or its name, a street unknown in the commune. Share placed at each
   precision and distance from the true point (median, 95th percentile).

One run here (2 shared cores, 1,008,347 rows, 650 communes, 25,154 streets, 28.7 MB .csv.gz):
index build 14.2 s, peak 721 MB (imports alone 134 MB); cached index loaded in 1.4 s (peak 456 MB;
Parquet 31.6 MB); 1,000 addresses in 2.3 s (first batch, preparation included) and 1.1 s (second).
Quality: exact text, abbreviations/case, initials, former communes (code or name) 100 % « adresse »;
one typo 97.0 % « adresse » (3.0 % « commune », 1 wrong street); another street type 99.5 %
(8 on a real street of that other type); number absent 100 % « voie » (median 48 m from the true
door, 95th percentile 277 m); no number 100 % « voie » (108 m, 432 m); unknown street 100 % « commune ».
The synthetic names come from a small vocabulary: real registries will do worse.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

FIRST = (
    "Jean",
    "Victor",
    "Louis",
    "Émile",
    "Jules",
    "Paul",
    "Henri",
    "Pierre",
    "Charles",
    "Georges",
    "Léon",
    "Anatole",
    "Gabriel",
    "Roger",
    "Marcel",
    "Jacques",
    "Albert",
    "Édouard",
    "Maurice",
    "Raoul",
    "André",
)
LAST = (
    "Jaurès",
    "Hugo",
    "Pasteur",
    "Zola",
    "Moulin",
    "Ferry",
    "Guesde",
    "Blum",
    "Péri",
    "Salengro",
    "Basly",
    "Curie",
    "Gambetta",
    "Lamartine",
    "Voltaire",
    "Rousseau",
    "Racine",
    "Daudet",
    "Mermoz",
    "Lebas",
    "Cachin",
    "Sembat",
    "Vaillant",
    "Barbusse",
    "Briquet",
    "Semard",
    "Dunant",
    "Delattre",
    "Lefebvre",
    "Dupont",
    "Desmoulins",
    "Carpentier",
    "Leclercq",
    "Deneux",
    "Cornil",
    "Lesage",
    "Delcourt",
    "Dumas",
    "Berlioz",
)
OTHER = (
    "de l'Église",
    "de la Gare",
    "de la Mairie",
    "du Moulin",
    "des Écoles",
    "de la République",
    "de la Paix",
    "des Tilleuls",
    "des Peupliers",
    "des Acacias",
    "du Stade",
    "du Marais",
    "de la Fosse 2",
    "du 8 Mai 1945",
    "du 11 Novembre",
    "du 19 Mars 1962",
    "de Lille",
    "d'Arras",
    "de Douai",
    "de Béthune",
    "de Lens",
    "du Général de Gaulle",
    "du Maréchal Foch",
    "du Maréchal Leclerc",
    "Saint-Martin",
    "Sainte-Barbe",
    "Notre-Dame",
    "des Frères Lumière",
    "de la Liberté",
    "du Château",
    "des Prés",
    "du Bois",
    "de Verdun",
    "de l'Abbé Pierre",
    "du Docteur Schweitzer",
    "des Déportés",
    "de la Résistance",
    "des Fusillés",
)
TYPES = (
    ("Rue", 0.62),
    ("Avenue", 0.06),
    ("Chemin", 0.08),
    ("Place", 0.03),
    ("Impasse", 0.07),
    ("Allée", 0.04),
    ("Route", 0.04),
    ("Boulevard", 0.02),
    ("Résidence", 0.02),
    ("Cité", 0.02),
)
ABBREV = {
    "Rue": "r.",
    "Avenue": "av.",
    "Chemin": "che",
    "Place": "pl.",
    "Impasse": "imp.",
    "Allée": "all.",
    "Route": "rte",
    "Boulevard": "bd",
    "Résidence": "rés.",
    "Cité": "cité",
}
LIEUX = ("Le Hamel", "La Motte", "Le Bourg", "Les Près Hauts", "La Cense", "Le Riez", "Les Quatre Vents",
         "La Haute Borne", "Le Petit Bois", "Le Marais", "La Vallée", "Le Mont")  # fmt: skip
BAN_HEADER = (
    "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;"
    "nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;"
    "source_nom_voie;certification_commune;cad_parcelles"
).split(";")


# --------------------------------------------------------------------------- synthesis
def street_names() -> list[tuple[str, str]]:
    names = [f"{f} {last}" for f in FIRST for last in LAST] + [f"{last}" for last in LAST]
    return [(t, n) for t, _ in TYPES for n in names] + [(t, o) for t, _ in TYPES for o in OTHER]


def synthesise(rows: int, seed: int = 59) -> pd.DataFrame:
    """A BAN-format table of about ``rows`` addresses (deterministic)."""
    rng = np.random.default_rng(seed)
    n_communes = max(20, round(650 * rows / 1_000_000))
    sizes = rng.lognormal(mean=0.0, sigma=1.1, size=n_communes)
    sizes = np.maximum(30, np.round(sizes / sizes.sum() * rows * 1.1)).astype(int)  # 1.1: holes, lengths
    vocab = street_names()
    type_of = np.array([t for t, _ in vocab])
    weight = np.array([dict(TYPES)[t] for t in type_of]) * np.array(
        [3.0 if ("Jean Jaurès" in n or "Victor Hugo" in n or "Pasteur" in n) else 1.0 for _, n in vocab]
    )
    weight /= weight.sum()
    to_wgs = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    frames = []
    for c in range(n_communes):
        insee, name = f"59{c + 1:03d}", f"Commune {c + 1:03d}"
        cx, cy = rng.uniform(640_000, 760_000), rng.uniform(6_990_000, 7_110_000)
        former = [(f"59{700 + c % 299:03d}", f"Ancienne {c + 1:03d}")] if c % 9 == 0 else []
        frames.append(_commune(rng, insee, name, cx, cy, int(sizes[c]), former, vocab, weight))
    df = pd.concat(frames, ignore_index=True)
    lon, lat = to_wgs.transform(df["x"].to_numpy(), df["y"].to_numpy())
    df["lon"], df["lat"] = np.round(lon, 6), np.round(lat, 6)
    df["x"], df["y"] = df["x"].round(2), df["y"].round(2)
    df["id"] = (
        df["id_fantoir"] + "_" + df["numero"].astype(str).str.zfill(5) + np.where(df["rep"] != "", "_" + df["rep"], "")
    )
    for col, value in (("type_position", "entrée"), ("alias", ""), ("source_position", "commune"),
                       ("source_nom_voie", "commune"), ("certification_commune", "0"), ("cad_parcelles", "")):  # fmt: skip
        df[col] = value
    df["libelle_acheminement"] = df["nom_commune"].str.upper()
    df["nom_afnor"] = df["nom_voie"].str.upper()
    return df[BAN_HEADER]


def _commune(rng, insee, name, cx, cy, size, former, vocab, weight) -> pd.DataFrame:
    n_streets = max(3, size // 45)
    picks = rng.choice(len(vocab), size=min(n_streets, len(vocab)), replace=False, p=weight)
    lengths = np.maximum(1, rng.geometric(1 / 45, size=len(picks)))
    cols: dict[str, list] = {c: [] for c in ("nom_voie", "numero", "x", "y", "old", "old_name", "nom_ld", "k")}
    for k, (v, length) in enumerate(zip(picks, lengths, strict=True)):
        kind, street = vocab[v]
        old, old_name = former[0] if former and k % 3 == 0 else ("", "")
        x0, y0 = cx + rng.normal(0, 1500), cy + rng.normal(0, 1500)
        angle = rng.uniform(0, np.pi)
        n = np.arange(1, length + 1)
        n = n[rng.random(len(n)) > 0.08]  # holes: numbers absent from the BAN
        side, along = np.where(n % 2 == 1, 9.0, -9.0), (n // 2) * 12.0
        for col, value in (("nom_voie", f"{kind} {street}"), ("old", old), ("old_name", old_name), ("k", k),
                           ("nom_ld", LIEUX[k % len(LIEUX)] if k % 17 == 5 else "")):  # fmt: skip
            cols[col].append(np.full(len(n), value, dtype=object))
        cols["numero"].append(n)
        cols["x"].append(x0 + np.cos(angle) * along - np.sin(angle) * side)
        cols["y"].append(y0 + np.sin(angle) * along + np.cos(angle) * side)
    j = np.arange(max(1, n_streets // 25))  # lieux-dits without numbers
    cols["nom_voie"].append(np.array([LIEUX[i % len(LIEUX)] + (f" {i // len(LIEUX) + 1}" if i >= len(LIEUX) else "")
                                      for i in j], dtype=object))  # fmt: skip
    cols["numero"].append(np.full(len(j), 99999))
    cols["x"].append(cx + rng.normal(0, 2500, len(j)))
    cols["y"].append(cy + rng.normal(0, 2500, len(j)))
    for col in ("old", "old_name", "nom_ld"):
        cols[col].append(np.full(len(j), "", dtype=object))
    cols["k"].append(n_streets + j)
    df = pd.DataFrame({c: np.concatenate(v) for c, v in cols.items()})
    df = df.rename(columns={"old": "code_insee_ancienne_commune", "old_name": "nom_ancienne_commune"})
    df["rep"] = np.where(rng.random(len(df)) < 0.03, "bis", "")
    df.loc[df["numero"] == 99999, "rep"] = ""
    df["code_insee"], df["nom_commune"], df["code_postal"] = insee, name, f"59{int(insee[2:]) % 1000:03d}"
    df["id_fantoir"] = insee + "_" + df["k"].astype(int).astype(str).str.zfill(4)
    return df.drop(columns="k")


# --------------------------------------------------------------------------- test set
def _typo(rng, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = letters[len(letters) // 2 + int(rng.integers(0, max(1, len(letters) // 2)))] if letters else 0
    op = rng.integers(0, 3)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + ("e" if text[i] != "e" else "a") + text[i + 1 :]


def _fold_lower(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def test_set(ban: pd.DataFrame, per_case: int = 400, seed: int = 7) -> pd.DataFrame:
    """Queries with their true point, one block of ``per_case`` rows per perturbation."""
    rng = np.random.default_rng(seed)
    numbered = ban[(ban["numero"] != 99999) & (ban["rep"] == "")]
    pool = numbered.sample(per_case * 8, random_state=seed).reset_index(drop=True)
    present = set(zip(ban["code_insee"], ban["nom_voie"], ban["numero"], strict=True))
    out = []

    def add(case, r, address, insee, commune=""):
        out.append({"case": case, "address": address, "insee": insee, "commune": commune, "true_x": r["x"],
                    "true_y": r["y"]})  # fmt: skip

    blocks = [pool.iloc[i * per_case : (i + 1) * per_case] for i in range(8)]
    for _, r in blocks[0].iterrows():
        add("texte exact", r, f"{r['numero']} {r['nom_voie']}", r["code_insee"])
    for _, r in blocks[1].iterrows():
        kind, _, rest = r["nom_voie"].partition(" ")
        add("abréviation, casse, accents", r, _fold_lower(f"{r['numero']} {ABBREV.get(kind, kind)} {rest}"),
            r["code_insee"])  # fmt: skip
    for _, r in blocks[2].iterrows():
        add("une faute de frappe", r, f"{r['numero']} {_typo(rng, r['nom_voie'])}", r["code_insee"])
    for _, r in blocks[3].iterrows():
        words = r["nom_voie"].split()
        if len(words) >= 3 and words[1] in {_ for _ in FIRST}:
            words[1] = words[1][0] + "."
        add("initiale du prénom", r, f"{r['numero']} {' '.join(words)}", r["code_insee"])
    for _, r in blocks[4].iterrows():
        kind, _, rest = r["nom_voie"].partition(" ")
        other = "Avenue" if kind != "Avenue" else "Rue"
        add("autre type de voie", r, f"{r['numero']} {other} {rest}", r["code_insee"])
    for _, r in blocks[5].iterrows():
        n = int(r["numero"]) + 2
        while (r["code_insee"], r["nom_voie"], n) in present:
            n += 2
        add("numéro absent de la BAN", r, f"{n} {r['nom_voie']}", r["code_insee"])
    for _, r in blocks[6].iterrows():
        add("sans numéro", r, r["nom_voie"], r["code_insee"])
    for _, r in blocks[7].iterrows():
        add("rue inconnue", r, f"{r['numero']} Rue Imaginaire {int(rng.integers(1, 10**6))}", r["code_insee"])
    old = numbered[numbered["code_insee_ancienne_commune"] != ""].sample(per_case, random_state=seed)
    for i, (_, r) in enumerate(old.iterrows()):
        if i % 2:
            add("ancienne commune (code)", r, f"{r['numero']} {r['nom_voie']}", r["code_insee_ancienne_commune"])
        else:
            add("ancienne commune (nom)", r, f"{r['numero']} {r['nom_voie']}", r["code_insee"],
                r["nom_ancienne_commune"])  # fmt: skip
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- measures
def child(code: str, env: dict) -> tuple[float, float, str]:
    """Run ``code`` in a fresh interpreter: (wall seconds, its peak memory in MB, its stdout).

    The peak is the child's own ``VmHWM`` (``ru_maxrss`` would carry the parent's size over exec).
    """
    code = textwrap.dedent(code) + textwrap.dedent("""
        import re
        hwm = re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)
        print("PEAK", hwm)
    """)
    t = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    lines = run.stdout.strip().splitlines()
    peak_kb = int(lines[-1].split()[1])
    return wall, peak_kb / 1024, "\n".join(lines[:-1])


def quality_table(result: pd.DataFrame) -> str:
    lines = ["| cas | n | adresse | voie | lieu-dit | commune | « adresse » à plus de 1 m du vrai point "
             "| distance médiane (m) | 95e centile (m) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    for case, g in result.groupby("case", sort=False):
        share = g["precision"].value_counts(normalize=True)
        placed = g[g["precision"] != "commune"]
        d = np.hypot(placed["x"] - placed["true_x"], placed["y"] - placed["true_y"])
        wrong = int(((placed["precision"] == "adresse") & (d > 1.0)).sum())
        med = f"{np.median(d):.0f}" if len(d) else "–"
        p95 = f"{np.percentile(d, 95):.0f}" if len(d) else "–"
        cells = [f"{100 * share.get(p, 0):.1f} %" for p in ("adresse", "voie", "lieu-dit", "commune")]
        lines.append(f"| {case} | {len(g)} | {' | '.join(cells)} | {wrong} | {med} | {p95} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--work", type=Path, default=None, help="dossier de travail (défaut : temporaire)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ban-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "adresses-59.csv.gz"
    t = time.perf_counter()
    ban = synthesise(args.rows)
    ban.to_csv(path, sep=";", index=False, compression={"method": "gzip", "mtime": 0, "compresslevel": 1})
    print(f"Fichier synthétique : {len(ban):,} lignes, {ban['code_insee'].nunique()} communes, "
          f"{ban.groupby(['code_insee', 'nom_voie']).ngroups:,} voies, {path.stat().st_size / 1e6:.1f} Mo "
          f"({time.perf_counter() - t:.1f} s)")  # fmt: skip
    env = {**os.environ, "ATLAS_CACHE_DIR": str(work / "cache"), "PYTHONPATH": str(REPO)}
    base_wall, base_mb, _ = child("import atlas.territory.geocoding.ban", env)
    code = f"""
        import time; t = time.perf_counter()
        from atlas.territory.geocoding.ban import load_index
        t0 = time.perf_counter(); idx = load_index({str(path)!r}); idx.streets; idx.lieux_dits
        print(f"{{time.perf_counter() - t0:.2f}}")
    """
    _, build_mb, build_s = child(code, env)
    _, load_mb, load_s = child(code, env)
    print(f"Imports seuls : {base_wall:.1f} s, {base_mb:.0f} Mo")
    print(f"Construction de l'index (1re utilisation) : {float(build_s):.1f} s, pic mémoire {build_mb:.0f} Mo")
    print(f"Chargement de l'index en cache : {float(load_s):.1f} s, pic mémoire {load_mb:.0f} Mo")
    cache = next((work / "cache" / "ban").glob("*.parquet"))
    print(f"Taille de l'index Parquet : {cache.stat().st_size / 1e6:.1f} Mo")

    os.environ["ATLAS_CACHE_DIR"] = str(work / "cache")
    from atlas import settings
    from atlas.territory.geocoding.ban import geocode_addresses, load_index

    settings.QUIET = True
    index = load_index(path)
    tests = test_set(ban)
    sample = tests.sample(2000, random_state=1)
    for label, part in (("1er lot (préparation des tables comprise)", sample.iloc[:1000]),
                        ("2e lot", sample.iloc[1000:])):  # fmt: skip
        t = time.perf_counter()
        geocode_addresses(part[["address", "insee", "commune"]], index)
        print(f"Géocodage de 1 000 adresses, {label} : {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    result = pd.concat([tests, geocode_addresses(tests[["address", "insee", "commune"]], index)], axis=1)
    print(f"Jeu de test : {len(tests):,} adresses géocodées en {time.perf_counter() - t:.1f} s\n")
    print(quality_table(result))


if __name__ == "__main__":
    main()
