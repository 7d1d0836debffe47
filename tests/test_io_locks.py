"""Writes that cooperate: an output being written by another atlas run is locked (``.name.lock``
beside it, with that run's pid) and a second run stops with one French sentence naming it; a lock
left by a run that has ended is taken over; a read-only output is refused, not replaced.

The concurrent runs are real processes: the first is stopped (SIGSTOP) while it holds its lock,
so that the second certainly runs while the first is writing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner

from atlas.cli import cli
from atlas.errors import AtlasError
from atlas.io import lock_path, output_lock, write_csv_excel, write_text_atomic

ROOT = Path(__file__).parents[1]
ATLAS = [sys.executable, "-c", "from atlas.cli import main; main()"]
BUSY = "un autre calcul d'atlas (pid {pid}) écrit déjà"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _wait_for_lock(lock: Path, pid: int, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"le premier calcul a fini sans prendre le verrou : {proc.communicate()}")
        try:
            if lock.read_text(encoding="ascii").strip() == str(pid):
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError("verrou jamais pris")


def test_two_concurrent_builds_on_one_output(tmp_path):
    out = tmp_path / "same.gpkg"
    first = subprocess.Popen([*ATLAS, "-q", "build", "-o", str(out)], env=_env(), cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_lock(lock_path(out), first.pid, first)
        os.kill(first.pid, signal.SIGSTOP)  # the first run holds the lock and is writing
        second = subprocess.run([*ATLAS, "-q", "build", "-o", str(out)], env=_env(), cwd=tmp_path,
                                capture_output=True, text=True, timeout=600)
        assert second.returncode == 1, second
        assert BUSY.format(pid=first.pid) + f" « {out} »" in second.stderr
        assert "Traceback" not in second.stderr and second.stderr.count("\n") == 1
    finally:
        os.kill(first.pid, signal.SIGCONT)
    stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert {"actors", "rejects", "warnings"} <= {name for name, _ in pyogrio.list_layers(out)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["same-avertissements.csv", "same-rejets.csv", "same-verifications.csv", "same.gpkg"]


@pytest.fixture
def holder(tmp_path):
    """Start a process holding the lock of a path until its standard input is closed."""
    procs = []

    def start(path: Path) -> subprocess.Popen:
        code = ("import sys; from atlas.io import output_lock\n"
                f"with output_lock([{str(path)!r}]):\n    print('held', flush=True); sys.stdin.read()\n")
        proc = subprocess.Popen([sys.executable, "-c", code], env=_env(), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "held"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.stdin.close()
        proc.wait(timeout=60)


def test_every_atomic_write_takes_the_lock(tmp_path, holder):
    out = tmp_path / "table.csv"
    out.write_text("ancien", encoding="utf-8")
    other = holder(out)
    with pytest.raises(AtlasError, match=re.escape(BUSY.format(pid=other.pid))):
        write_csv_excel(out, pd.DataFrame({"a": [1]}))
    with pytest.raises(AtlasError, match=re.escape(BUSY.format(pid=other.pid))):
        write_text_atomic(out, "nouveau")
    assert out.read_text(encoding="utf-8") == "ancien"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".table.csv.lock", "table.csv"]  # only the holder's lock
    other.stdin.close()
    other.wait(timeout=60)
    assert not lock_path(out).exists()  # given back with the last hold
    write_text_atomic(out, "nouveau")
    assert out.read_text(encoding="utf-8") == "nouveau" and not lock_path(out).exists()


def test_lock_of_a_run_that_died_is_taken_over(tmp_path):
    out = tmp_path / "a.md"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock_path(out).write_text(dead.stdout, encoding="ascii")  # left by a killed run: no process holds it
    write_text_atomic(out, "écrit")
    assert out.read_text(encoding="utf-8") == "écrit" and not lock_path(out).exists()


def test_lock_is_reentrant_within_a_run(tmp_path):
    out = tmp_path / "a.md"
    with output_lock([out]):
        assert lock_path(out).read_text(encoding="ascii").strip() == str(os.getpid())
        write_text_atomic(out, "dans le même calcul")  # the run's own lock: no refusal
        assert lock_path(out).exists()
    assert not lock_path(out).exists()


def test_read_only_output_is_refused_not_replaced(tmp_path):
    out = tmp_path / "atlas.gpkg"
    out.write_bytes(b"ancien")
    out.chmod(0o444)
    res = CliRunner().invoke(cli, ["-q", "build", "-o", str(out)])
    assert res.exit_code == 1
    assert f"Erreur : « {out} » est en lecture seule : atlas ne le remplace pas" in res.output
    assert out.read_bytes() == b"ancien" and sorted(p.name for p in tmp_path.iterdir()) == ["atlas.gpkg"]
    csv_out = tmp_path / "d.csv"
    csv_out.write_text("ancien", encoding="utf-8")
    csv_out.chmod(0o400)
    res = CliRunner().invoke(cli, ["-q", "distances", "--epci", "CAPSO", "-o", str(csv_out)])
    assert res.exit_code == 1 and "est en lecture seule" in res.output
    assert csv_out.read_text(encoding="utf-8") == "ancien"
