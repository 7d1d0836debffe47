"""The base writers: the one CSV dialect (formulas neutralised), atomic sets, orphans of killed runs,
disk errors in French."""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path

import pandas as pd
import pytest

from atlas import io as aio
from atlas.errors import AtlasError


# --------------------------------------------------------------------------- CSV
@pytest.mark.parametrize(("cell", "safe"), [
    ('=HYPERLINK("http://x","clic")', '\'=HYPERLINK("http://x","clic")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\r=1", "'\r=1"), (" =1+1", "' =1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),
    ("-12,5", "-12,5"), ("+3", "+3"), ("-1e5", "-1e5"), ("12", "12"), ("Lens", "Lens"), ("", ""),
    ("a=b", "a=b"), ("-", "'-"),
])  # fmt: skip
def test_excel_safe(cell, safe):
    assert aio.excel_safe(cell) == safe


def test_csv_text_is_the_french_excel_dialect(assert_excel_safe):
    frame = pd.DataFrame({"=nom": ["=1+1", "Lens", None], "km": [1.5, -2.25, None], "n": [1, -2, 3],
                          "mixed": [0.5, "-x", 3]})
    text = aio.csv_text(frame)
    assert text.splitlines()[0] == "'=nom;km;n;mixed"
    assert text.splitlines()[1:] == ["'=1+1;1,5;1;0,5", "Lens;-2,25;-2;'-x", ";;3;3"]
    assert_excel_safe(text)


def test_write_csv_excel(tmp_path):
    path = aio.write_csv_excel(tmp_path / "t.csv", pd.DataFrame({"a": ["@x", "-3,5"]}))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.decode("utf-8-sig") == "a\r\n'@x\r\n-3,5\r\n"


def test_csv_cells_with_a_bare_carriage_return_stay_one_cell(assert_excel_safe):
    """A cell (or header) holding a bare CR, as old Mac files give, is quoted: the row is not cut
    there (Hypothesis found a header « \\r= » written bare)."""
    import csv
    import io

    text = aio.csv_text(pd.DataFrame({"\r=": ["ligne 1\rligne 2", "x"]}))
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [["'\r="], ["ligne 1\rligne 2"], ["x"]]
    assert_excel_safe(text)


def test_write_output_csv_is_french_and_safe(tmp_path):
    path = aio.write_output(tmp_path / "o.csv", csv=lambda: pd.DataFrame({"Site": ["=cmd"], "km": [2.5]}))
    assert path.read_text(encoding="utf-8-sig") == "Site;km\n'=cmd;2,5\n"


# --------------------------------------------------------------------------- atomic sets
def test_atomic_outputs_replaces_all_or_nothing(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    with aio.atomic_outputs([a, b]) as (ta, tb):
        ta.write_text("new a")
        tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    with pytest.raises(RuntimeError), aio.atomic_outputs([a, b]) as (ta, tb):
        ta.write_text("newer a")
        raise RuntimeError("stopped between the two files")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")  # the old set, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no temporary file left
    with pytest.raises(AtlasError, match="Aucun fichier n'a été écrit pour « .*b.txt »"), \
            aio.atomic_outputs([a, b]) as (ta, _):
        ta.write_text("only a")
    assert a.read_text() == "new a"


def test_output_set_grows(tmp_path):
    with aio.atomic_outputs() as files:
        files.temp(tmp_path / "d" / "x.csv").write_text("x")
        files.temp(tmp_path / "d" / "y.csv").write_text("y")
        assert files.paths == [tmp_path / "d" / "x.csv", tmp_path / "d" / "y.csv"]
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["x.csv", "y.csv"]


def _dead_pid() -> int:
    pid = 999_999
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        pid -= 1


def test_orphans_of_killed_runs_are_removed_at_the_next_run(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    orphans = [tmp_path / f".x.{dead}-abcd1234.part.gpkg", tmp_path / f".x.{dead}-abcd1234.part.gpkg-journal",
               tmp_path / f"..x.{dead}-abcd1234.part.{dead}-efgh5678.part.gpkg", tmp_path / ".x.k2j3h4l5.part.gpkg"]
    for p in orphans:
        p.write_text("half")
    legacy = orphans[-1]
    os.utime(legacy, (time.time() - 3600, time.time() - 3600))
    live = tmp_path / f".x.{alive}-zzzz9999.part.gpkg"  # a run still going on (this process)
    other = tmp_path / f".y.{dead}-abcd1234.part.csv"  # another output: left for its own next run
    for p in (live, other):
        p.write_text("running")
    aio.write_text_atomic(tmp_path / "x.gpkg", "new")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([live.name, other.name, "x.gpkg"])


def test_an_interrupted_commit_is_finished_by_the_next_run(tmp_path):
    dead = _dead_pid()
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old a")
    b.write_text("old b")
    ta, tb = tmp_path / f".a.{dead}-aaaa1111.part.csv", tmp_path / f".b.{dead}-bbbb2222.part.csv"
    ta.write_text("new a")
    tb.write_text("new b")
    os.replace(ta, a)  # killed after the first rename
    record = tmp_path / f".a.{dead}-cccc3333.commit"
    record.write_text(json.dumps({"files": [[str(ta), str(a)], [str(tb), str(b)]]}))
    assert (a.read_text(), b.read_text()) == ("new a", "old b")  # half old, half new until...
    aio.write_text_atomic(tmp_path / "other.txt", "the next run in that folder")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "other.txt"]


# --------------------------------------------------------------------------- disk errors
def _full_disk(*_args, **_kwargs):
    """Write to /dev/full: the kernel's own « No space left on device »."""
    with open("/dev/full", "w") as fh:
        fh.write("x" * 100_000)
        fh.flush()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full absent")
def test_full_disk_is_a_french_sentence_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "write_text", _full_disk)
    target = tmp_path / "t.csv"
    with pytest.raises(AtlasError) as err:
        aio.write_csv_excel(target, pd.DataFrame({"a": [1]}))
    assert str(err.value) == f"Écriture impossible de « {target} » : plus de place sur le disque."
    assert list(tmp_path.iterdir()) == []


def test_gdal_full_disk_names_the_destination_not_the_temporary_file(tmp_path, monkeypatch):
    import pyogrio

    def full(_frame, path, **_kw):
        Path(path).write_bytes(b"partial")
        raise pyogrio.errors.DataSourceError(f"sqlite3_exec(CREATE TABLE) failed: database or disk is full ({path})")

    monkeypatch.setattr(pyogrio, "write_dataframe", full)
    a, b = tmp_path / "a.gpkg", tmp_path / "a-rejets.csv"
    with pytest.raises(AtlasError) as err, aio.atomic_outputs([a, b]) as (ta, tb):
        aio.write_gpkg(ta, {"t": pd.DataFrame({"x": [1]})})
    assert str(err.value) == f"Écriture impossible de « {a} » : plus de place sur le disque."
    assert list(tmp_path.iterdir()) == []


def test_error_fr():
    assert aio.error_fr(OSError(errno.ENOSPC, "No space left on device")) == "plus de place sur le disque"
    assert aio.error_fr(PermissionError(errno.EACCES, "Permission denied")) == "accès refusé (droits insuffisants)"
    assert aio.error_fr(RuntimeError("Read-only file system")) == "disque en lecture seule"
    assert aio.is_disk_error(OSError(errno.EROFS, "x")) and not aio.is_disk_error(OSError(errno.ECONNRESET, "x"))


def test_unwritable_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    with pytest.raises(AtlasError, match="n'est pas accessible en écriture"):
        aio.write_text_atomic(tmp_path / "x.txt", "x")
    with pytest.raises(AtlasError, match="est un dossier"):
        monkeypatch.undo()
        aio.write_text_atomic(tmp_path, "x")
