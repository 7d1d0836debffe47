"""Online BAN geocoder, against a small HTTP server on 127.0.0.1 answering in the BAN's CSV format."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd
import pytest

from atlas.errors import AtlasError, GeocoderError
from atlas.territory.geocoding import ban_online
from atlas.territory.geocoding.ban_online import AnswerCache, base_url, geocode_online

# what the fake service knows: query text -> (type, label, score, lon, lat, citycode, oldcitycode)
KNOWN = {
    "12 bis rue J. Jaurès 62300 Lens": ("housenumber", "12 bis Rue Jean Jaurès 62300 Lens", 0.93, 2.8186, 50.4394,
                                        "62498", ""),
    "99 rue Jean Jaurès 62300 Lens": ("street", "Rue Jean Jaurès 62300 Lens", 0.71, 2.8180, 50.4390, "62498", ""),
    "Le Riaumont 62800 Liévin": ("locality", "Le Riaumont 62800 Liévin", 0.88, 2.7625, 50.4176, "62510", ""),
    "307 avenue de Dunkerque 59160 LOMME": ("housenumber", "307 Avenue de Dunkerque 59160 Lille", 0.95, 2.9868,
                                            50.6440, "59350", "59355"),
    "1 rue de Lens 62300 Lens": ("housenumber", "1 Rue de Lens 62800 Liévin", 0.60, 2.77, 50.42, "62510", ""),
    "2 rue Floue 62300 Lens": ("housenumber", "2 Rue Flou 62300 Lens", 0.31, 2.82, 50.44, "62498", ""),
    "rue Perdue 62300 Lens": ("municipality", "Lens", 0.45, 2.83, 50.43, "62498", ""),
}  # fmt: skip
RESULT_HEADER = [
    "latitude", "longitude", "result_label", "result_score", "result_score_next", "result_type", "result_id",
    "result_housenumber", "result_name", "result_street", "result_postcode", "result_city", "result_context",
    "result_citycode", "result_oldcitycode", "result_oldcity", "result_district", "result_status",
]  # fmt: skip


class FakeBan(BaseHTTPRequestHandler):
    """POST /search/csv/ like the BAN: the CSV sent, with the result columns appended."""

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802
        server = self.server
        server.requests.append(self.path)
        if server.script:
            action = server.script.pop(0)
            if action == "sleep":
                time.sleep(1.0)
            elif isinstance(action, int):
                self.send_error(action)
                return
        length = int(self.headers["Content-Length"])
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        msg = BytesParser(policy=HTTP).parsebytes(head + self.rfile.read(length))
        form = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True) for p in msg.iter_parts()}
        server.forms.append({k: v.decode() for k, v in form.items() if k != "data"})
        text = form["data"].decode("utf-8")
        delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        out = io.StringIO()
        w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        w.writerow(rows[0] + RESULT_HEADER)
        q_col = rows[0].index(server.forms[-1]["columns"])
        for row in rows[1:]:
            server.queries.append(row[q_col])
            hit = KNOWN.get(row[q_col])
            if hit is None:
                w.writerow(row + [""] * len(RESULT_HEADER))
                continue
            kind, label, score, lon, lat, city, old = hit
            w.writerow(row + [lat, lon, label, score, "", kind, f"id-{row[0]}", "", "", "", "", "", "", city, old, "",
                              "", "ok"])  # fmt: skip
        body = out.getvalue().encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeBan)
    httpd.requests, httpd.forms, httpd.queries, httpd.script = [], [], [], []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(folder))
    monkeypatch.delenv("ATLAS_GEOCODER_URL", raising=False)
    return folder


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "address": ["12bis, rue J. Jaurès", "99 rue Jean Jaurès", "Le Riaumont", "307 avenue de Dunkerque",
                        "1 rue de Lens", "2 rue Floue", "rue Perdue", "Salle des fêtes", "5 rue Inconnue",
                        "12bis, rue J. Jaurès"],
            "postcode": ["62300", "62300", "62800", "59160", "62300", "62300", "62300", "62300", "62300", "62300"],
            "commune": ["Lens", "Lens", "Liévin", "LOMME", "Lens", "Lens", "Lens", "Lens", "Lens", "Lens"],
            "insee": ["62498", "62498", "62510", "59350", "62498", "62498", "62498", "62498", "62498", "62498"],
        },
        index=pd.RangeIndex(10, 20),
    )  # fmt: skip


EXPECTED = [
    ("adresse", 93.0, "12 bis Rue Jean Jaurès 62300 Lens", ""),
    ("voie", 71.0, "Rue Jean Jaurès 62300 Lens", "numéro 99 absent de la BAN : placé sur la voie"),
    ("lieu-dit", 88.0, "Le Riaumont 62800 Liévin", "placé au lieu-dit « Le Riaumont 62800 Liévin »"),
    ("adresse", 95.0, "307 Avenue de Dunkerque 59160 Lille", ""),  # a former commune of 59350
    ("commune", 60.0, "1 Rue de Lens 62800 Liévin", "réponse dans une autre commune (1 Rue de Lens 62800 Liévin) : mairie"),
    ("commune", 31.0, "2 Rue Flou 62300 Lens", "réponse trop incertaine (2 Rue Flou 62300 Lens, score 31) : mairie"),
    ("commune", 45.0, "Lens", "rue inconnue du géocodeur : mairie"),
    ("commune", np.nan, "", "adresse sans voie : mairie"),
    ("commune", np.nan, "", "adresse introuvable par le géocodeur : mairie"),
    ("adresse", 93.0, "12 bis Rue Jean Jaurès 62300 Lens", ""),
]  # fmt: skip


def _check(out: pd.DataFrame) -> None:
    assert list(out.columns) == ["x", "y", "lon", "lat", "precision", "score", "label", "reason", "ban_id"]
    assert list(out.index) == list(range(10, 20))
    for (precision, score, label, reason), (i, got) in zip(EXPECTED, out.iterrows(), strict=True):
        assert (got["precision"], got["label"], got["reason"]) == (precision, label, reason), i
        assert (np.isnan(score) and np.isnan(got["score"])) or got["score"] == pytest.approx(score), i
        assert np.isfinite(got["x"]) == (precision != "commune"), i
    first = out.iloc[0]
    assert (first["lon"], first["lat"]) == (2.8186, 50.4394)
    assert 687000 < first["x"] < 687200 and 7037900 < first["y"] < 7038100  # Lambert-93, in Lens


def test_geocode_online(server):
    out = geocode_online(_frame(), url=server.url)
    _check(out)
    assert server.requests == ["/search/csv/"]  # one batch; the same address twice is sent once
    assert server.forms == [{"columns": "q", "citycode": "citycode"}]
    assert server.queries == [
        "12 bis rue J. Jaurès 62300 Lens", "99 rue Jean Jaurès 62300 Lens", "Le Riaumont 62800 Liévin",
        "307 avenue de Dunkerque 59160 LOMME", "1 rue de Lens 62300 Lens", "2 rue Floue 62300 Lens",
        "rue Perdue 62300 Lens", "5 rue Inconnue 62300 Lens",
    ]  # fmt: skip  # « Salle des fêtes » has no street: not sent


def test_batches_and_cache(server, cache):
    out = geocode_online(_frame(), url=server.url, batch_size=3)
    _check(out)
    assert len(server.requests) == 3  # 8 distinct queries, 3 per request
    stored = json.loads(next((cache / "ban-online").glob("answers-*.json")).read_text(encoding="utf-8"))
    assert len(stored) == 8
    # the next run needs no network: the answers come from the cache
    server.shutdown()
    again = geocode_online(_frame(), url=server.url, retries=0)
    pd.testing.assert_frame_equal(out, again)
    assert len(server.requests) == 3


def test_unreachable_is_a_french_error_and_nothing_is_lost(server):
    url = _closed_port_url()
    waits = []
    with pytest.raises(GeocoderError, match=r"Géocodeur en ligne injoignable \(http://127\.0\.0\.1:\d+/search/csv/\) "
                                            r"après 3 essai\(s\)") as err:  # fmt: skip
        geocode_online(_frame(), url=url, retries=2, backoff=0.5, sleep=waits.append)
    assert "Les réponses déjà reçues sont gardées en cache" in str(err.value)
    assert isinstance(err.value, AtlasError)
    assert waits == [0.5, 1.0]  # exponential back-off
    # a failure in the middle keeps the batches already answered
    server.script = [None, 503]
    frame = _frame()
    with pytest.raises(GeocoderError, match="injoignable.*HTTP 503"):
        geocode_online(frame, url=server.url, batch_size=4, retries=0)
    assert len(server.queries) == 4
    assert list(frame.columns) == ["address", "postcode", "commune", "insee"]  # the input is untouched
    out = geocode_online(frame, url=server.url, batch_size=4)
    _check(out)
    assert len(server.queries) == 8  # only the 4 missing ones were asked again


def test_retry_after_a_server_error(server):
    server.script = [503, 502]
    waits = []
    out = geocode_online(_frame(), url=server.url, retries=3, backoff=0.25, sleep=waits.append)
    _check(out)
    assert waits == [0.25, 0.5]
    assert len(server.requests) == 3


def test_refused_request_is_not_retried(server):
    server.script = [400]
    with pytest.raises(GeocoderError, match=r"a refusé la requête \(HTTP 400\)"):
        geocode_online(_frame(), url=server.url, retries=3, sleep=lambda s: None)
    assert len(server.requests) == 1


def test_timeout(server):
    server.script = ["sleep"]
    with pytest.raises(GeocoderError, match="injoignable.*délai dépassé"):
        geocode_online(_frame(), url=server.url, timeout=0.2, retries=0)


def test_without_cache(server, cache):
    geocode_online(_frame(), url=server.url, cache=False)
    geocode_online(_frame(), url=server.url, cache=False)
    assert len(server.requests) == 2
    assert not (cache / "ban-online").exists()


def test_unreadable_answer(server, monkeypatch):
    monkeypatch.setattr(ban_online, "_post", lambda *a, **k: "foo,bar\n1,2\n")
    with pytest.raises(GeocoderError, match="Réponse illisible du géocodeur en ligne"):
        geocode_online(_frame(), url=server.url)


def test_base_url(monkeypatch):
    assert base_url() == ban_online.DEFAULT_BASE_URL
    monkeypatch.setenv("ATLAS_GEOCODER_URL", "http://127.0.0.1:9/")
    assert base_url() == "http://127.0.0.1:9"
    assert base_url("http://127.0.0.1:8/x/") == "http://127.0.0.1:8/x"


def test_cache_keys_apart_per_service(tmp_path):
    a, b = AnswerCache("http://127.0.0.1:1", tmp_path), AnswerCache("http://127.0.0.1:2", tmp_path)
    assert a.path != b.path
    a.answers[AnswerCache.key("1 rue X", "62498", "")] = {"result_type": ""}
    a.save()
    assert AnswerCache("http://127.0.0.1:1", tmp_path).answers == a.answers
    a.path.write_text("{abîmé", encoding="utf-8")
    assert AnswerCache("http://127.0.0.1:1", tmp_path).answers == {}
