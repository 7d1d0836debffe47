"""Online geocoding with the BAN's CSV batch geocoder (only when asked).

The service takes a CSV file posted to ``<base>/search/csv/`` (multipart form: ``data`` = the
file, ``columns`` = the column(s) making the address, ``citycode`` / ``postcode`` = the columns
that restrict each row to a commune) and answers the same CSV with ``latitude``, ``longitude``,
``result_label``, ``result_score``, ``result_type``, ``result_id``, ``result_housenumber``,
``result_citycode``, ``result_oldcitycode``... appended.

:func:`geocode_online` sends the rows in batches, with a timeout, retries with an exponential
back-off, and keeps every answer in a local cache (``settings.cache_dir()/ban-online``) so that the
next run needs no network. When the service cannot be reached it raises
:class:`~atlas.errors.GeocoderError` (French message); the answers already received stay cached.
The base URL is :data:`DEFAULT_BASE_URL` unless given, or set in ``$ATLAS_GEOCODER_URL``.
Only the standard library is used (``urllib``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from atlas import settings
from atlas.crs import lonlat_to_l93
from atlas.errors import AtlasError, GeocoderError
from atlas.io import write_text_atomic
from atlas.progress import info
from atlas.territory.geocoding.address import parse_addresses, text_or_empty

DEFAULT_BASE_URL = "https://api-adresse.data.gouv.fr"
ENV_VAR = "ATLAS_GEOCODER_URL"
#: Answers below this score (0-100) are not trusted: the row stays at its town hall.
MIN_SCORE = 50.0
BATCH_SIZE = 500
TIMEOUT = 60.0
RETRIES = 3
BACKOFF = 1.0
RESULT_FIELDS: tuple[str, ...] = (
    "latitude", "longitude", "result_label", "result_score", "result_type", "result_id", "result_housenumber",
    "result_citycode", "result_oldcitycode",
)  # fmt: skip
_PRECISION = {"housenumber": "adresse", "street": "voie", "locality": "lieu-dit", "municipality": "commune"}
_RETRY_HTTP = {408, 425, 429, 500, 502, 503, 504}


def base_url(url: str | None = None) -> str:
    """The geocoder's base URL: ``url``, else ``$ATLAS_GEOCODER_URL``, else the national service."""
    return (url or os.environ.get(ENV_VAR) or DEFAULT_BASE_URL).rstrip("/")


def query_text(parsed: pd.Series) -> str:
    """The text sent for one parsed address: « 12 bis rue J. Jaurès 62300 Lens » ("" when the
    address has neither a street nor a lieu-dit: such rows are not sent)."""
    first = " ".join(p for p in (parsed["number"], parsed["rep"], parsed["street"]) if p)
    if not parsed["street"]:
        first = parsed["lieu_dit"]
    if not first:
        return ""
    return " ".join(p for p in (first, parsed["postcode"], parsed["commune"]) if p)


# --------------------------------------------------------------------------- cache
class AnswerCache:
    """Answers of the geocoder kept on disk, one JSON file per base URL.

    Parameters
    ----------
    url : str
        Base URL of the service (answers of different services are kept apart).
    folder : pathlib.Path, optional
        Default ``settings.cache_dir()/ban-online``.
    """

    def __init__(self, url: str, folder: Path | None = None) -> None:
        folder = folder or settings.cache_dir() / "ban-online"
        self.path = folder / f"answers-{hashlib.sha1(url.encode()).hexdigest()[:12]}.json"
        self.answers: dict[str, dict] = {}
        if self.path.exists():
            try:
                self.answers = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.answers = {}  # a damaged cache is rebuilt

    @staticmethod
    def key(text: str, citycode: str, postcode: str) -> str:
        """The cache key of one request row."""
        return json.dumps([text, citycode, postcode], ensure_ascii=False)

    def save(self) -> None:
        """Write the answers (atomically); a cache that cannot be written is only reported."""
        try:
            write_text_atomic(self.path, json.dumps(self.answers, ensure_ascii=False, sort_keys=True))
        except (AtlasError, OSError) as exc:
            info(f"Réponses du géocodeur non mises en cache ({exc}).")


# --------------------------------------------------------------------------- HTTP
def _multipart(csv_text: str, fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = f"atlas-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="data"; filename="adresses.csv"\r\n'
        "Content-Type: text/csv; charset=utf-8\r\n\r\n".encode()
    )
    out.write(csv_text.encode("utf-8"))
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _post(url: str, body: bytes, content_type: str, *, timeout: float, retries: int, backoff: float,
          sleep: Callable[[float], None]) -> str:  # fmt: skip
    """POST with retries and exponential back-off; the answer's text, or GeocoderError."""
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.read().decode("utf-8-sig")
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code not in _RETRY_HTTP:
                raise GeocoderError(f"Le géocodeur en ligne a refusé la requête ({last}) : {url}.") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            last = "délai dépassé" if isinstance(reason, TimeoutError) else str(reason)
    raise GeocoderError(
        f"Géocodeur en ligne injoignable ({url}) après {retries + 1} essai(s) : {last}. "
        "Les réponses déjà reçues sont gardées en cache ; relancez quand le réseau est revenu, "
        "ou géocodez hors ligne avec les fichiers de la BAN."
    )


def _read_answer(text: str, expected: int) -> list[dict]:
    lines = text.splitlines()
    if not lines:
        raise GeocoderError("Réponse vide du géocodeur en ligne.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    missing = [c for c in ("atlas_id", "latitude", "longitude", "result_type") if rows and c not in rows[0]]
    if missing or len(rows) != expected:
        raise GeocoderError(
            f"Réponse illisible du géocodeur en ligne ({len(rows)} ligne(s) pour {expected} envoyée(s)"
            + (f", colonnes manquantes : {', '.join(missing)}" if missing else "")
            + ")."
        )
    return rows


def _send_batch(batch: list[tuple[str, str, str, str]], url: str, **http) -> dict[str, dict]:
    """Geocode one batch of (id, text, citycode, postcode); answers keyed by id."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=",", lineterminator="\n")
    w.writerow(["atlas_id", "q", "citycode", "postcode"])
    w.writerows(batch)
    fields = [("columns", "q")]
    if any(r[2] for r in batch):
        fields.append(("citycode", "citycode"))
    elif any(r[3] for r in batch):
        fields.append(("postcode", "postcode"))
    body, ctype = _multipart(buf.getvalue(), fields)
    rows = _read_answer(_post(f"{url}/search/csv/", body, ctype, **http), len(batch))
    return {r["atlas_id"]: {k: r.get(k, "") or "" for k in RESULT_FIELDS} for r in rows}


# --------------------------------------------------------------------------- results
def _result(answer: dict | None, insee: str, number: str, *, min_score: float) -> tuple:
    """(lon, lat, precision, score, label, reason, ban_id) of one answer."""
    nan = float("nan")
    if answer is None:
        return nan, nan, "commune", nan, "", "adresse sans voie : mairie", ""
    kind = _PRECISION.get(answer.get("result_type", ""), "")
    try:
        score = float(answer.get("result_score") or "nan") * 100
        lon, lat = float(answer["longitude"]), float(answer["latitude"])
    except ValueError:
        score, lon, lat = nan, nan, nan
    label, ban_id = answer.get("result_label", ""), answer.get("result_id", "")
    if not kind or not np.isfinite(lon):
        return nan, nan, "commune", nan, "", "adresse introuvable par le géocodeur : mairie", ""
    codes = {answer.get("result_citycode", ""), answer.get("result_oldcitycode", "")}
    if insee and insee not in codes:
        return nan, nan, "commune", score, label, f"réponse dans une autre commune ({label}) : mairie", ban_id
    if kind == "commune":
        return nan, nan, "commune", score, label, "rue inconnue du géocodeur : mairie", ban_id
    if not score >= min_score:
        return nan, nan, "commune", score, label, f"réponse trop incertaine ({label}, score {score:.0f}) : mairie", ""
    reason = ""
    if kind == "voie":
        reason = (
            f"numéro {number} absent de la BAN : placé sur la voie" if number else "sans numéro : placé sur la voie"
        )
    elif kind == "lieu-dit":
        reason = f"placé au lieu-dit « {label} »"
    return lon, lat, kind, score, label, reason, ban_id


def geocode_online(
    frame: pd.DataFrame,
    *,
    insee: str = "insee",
    url: str | None = None,
    batch_size: int = BATCH_SIZE,
    timeout: float = TIMEOUT,
    retries: int = RETRIES,
    backoff: float = BACKOFF,
    min_score: float = MIN_SCORE,
    cache: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> pd.DataFrame:
    """Geocode addresses with the BAN's online CSV geocoder (never called unless asked).

    Parameters
    ----------
    frame : pandas.DataFrame
        Parsed addresses (:func:`atlas.territory.geocoding.address.parse_addresses`) or raw rows with
        ``address``, ``postcode``, ``commune``; plus the ``insee`` column (restricts each answer
        to the row's commune; empty allowed).
    url : str, optional
        Base URL of the service (default :func:`base_url`).
    batch_size, timeout, retries, backoff : optional
        Rows per request, seconds per request, retries after the first try, first back-off in
        seconds (doubled at each retry).
    min_score : float
        Lowest score (0-100) trusted.
    cache : bool
        Read and write the local cache of answers.
    sleep : callable
        Waits between retries (tests pass a no-op).

    Returns
    -------
    pandas.DataFrame
        Same index and columns as :func:`atlas.territory.geocoding.ban.geocode_addresses`.

    Raises
    ------
    GeocoderError
        The service cannot be reached (after the retries), refuses the request or answers
        something unreadable. The answers received before are kept in the cache.
    """
    url = base_url(url)
    parsed = frame if "street_key" in frame.columns else parse_addresses(frame)
    codes = frame[insee].map(text_or_empty).tolist() if insee in frame else [""] * len(frame)
    texts = [query_text(parsed.iloc[i]) for i in range(len(frame))]
    postcodes = parsed["postcode"].map(text_or_empty).tolist()
    store = AnswerCache(url) if cache else None
    answers: dict[str, dict] = dict(store.answers) if store else {}
    keys = [AnswerCache.key(t, c, p) if t else "" for t, c, p in zip(texts, codes, postcodes, strict=True)]
    todo = list(dict.fromkeys(k for k in keys if k and k not in answers))
    http = {"timeout": timeout, "retries": retries, "backoff": backoff, "sleep": sleep}
    for start in range(0, len(todo), max(1, batch_size)):
        chunk = todo[start : start + batch_size]
        batch = [(str(i), *json.loads(k)) for i, k in enumerate(chunk)]
        got = _send_batch(batch, url, **http)
        for i, k in enumerate(chunk):
            answers[k] = got.get(str(i), {})
        if store:
            store.answers.update({k: answers[k] for k in chunk})
            store.save()
    numbers = parsed["number"].map(text_or_empty).tolist()
    results = [
        _result(answers.get(k) if k else None, c, n, min_score=min_score)
        for k, c, n in zip(keys, codes, numbers, strict=True)
    ]
    out = pd.DataFrame(
        results, index=frame.index, columns=["lon", "lat", "precision", "score", "label", "reason", "ban_id"]
    ).astype({"lon": float, "lat": float, "score": float})
    x, y = lonlat_to_l93(out["lon"].to_numpy(), out["lat"].to_numpy())
    out.insert(0, "x", x)
    out.insert(1, "y", y)
    return out
