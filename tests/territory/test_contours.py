"""The contours loader, against a local HTTP server (no outside network)."""

from __future__ import annotations

import gzip
import http.server
import json
import threading
from pathlib import Path

import pytest

from atlas.errors import AtlasError
from atlas.territory.contours import download_contours
from atlas.territory.reference import load_communes


@pytest.fixture()
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_gz_into_cache_and_use_as_reference(server, tmp_path, communes):
    root, base = server
    sample = communes[communes["epci"] == "200072460"].to_crs("EPSG:4326")[["insee", "geometry"]]
    sample = sample.rename(columns={"insee": "code"})
    data = sample.to_json().encode()
    (root / "communes.geojson.gz").write_bytes(gzip.compress(data))
    cache = tmp_path / "cache"
    path = download_contours(f"{base}/communes.geojson.gz", cache=cache)
    assert path.exists() and path.parent.parent == cache
    assert json.loads(path.read_text())["features"][0]["properties"]["code"] in set(sample["code"])
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    # cached: a second call does not hit the server
    (root / "communes.geojson.gz").unlink()
    assert download_contours(f"{base}/communes.geojson.gz", cache=cache) == path
    loaded = load_communes(path)
    assert len(loaded) == 100
    assert loaded["epci"].unique().tolist() == ["200072460"]


def test_download_error_is_clear_and_leaves_nothing(server, tmp_path):
    _, base = server
    cache = tmp_path / "cache"
    with pytest.raises(AtlasError, match="Téléchargement impossible"):
        download_contours(f"{base}/absent.geojson", cache=cache)
    leftovers = list(Path(cache).rglob("*")) if cache.exists() else []
    assert [p for p in leftovers if p.is_file()] == []
