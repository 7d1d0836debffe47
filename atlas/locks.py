"""Runs that cooperate on files: one run at a time writes an output, and inputs are read in one state.

A run writing a file holds a lock on ``.<name>.lock`` beside it (:func:`output_lock`: an advisory
``flock`` that the system releases when the process ends, however it ends; the file holds the
process number, for the message of the run that has to wait). A second run stops with « un autre
calcul d'atlas (pid N) écrit déjà … ». Every atomic write of :mod:`atlas.io` takes the lock of its
destination; ``atlas build`` takes its own before it reads anything.

A registry that changes while it is read (a copy still under way) is refused:
:func:`file_state` before, :func:`check_unchanged` after.
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from atlas.errors import AtlasError

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS: locks by pid only
    fcntl = None  # type: ignore[assignment]


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` runs (this one included, or one we may not signal)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


# --------------------------------------------------------------------------------------------
# One run at a time writes an output
# --------------------------------------------------------------------------------------------

#: How long a run waits for another one's lock before it stops (s): a lock is held while a run
#: writes, so the second run of two started together stops at once rather than wait for minutes.
LOCK_WAIT_S = 0.0
_LOCK_SUFFIX = ".lock"
_held: dict[Path, tuple[int, int]] = {}  # lock file -> (file descriptor, depth) of this process
_held_guard = threading.Lock()


def lock_path(path: str | Path) -> Path:
    """The lock file of the output ``path``: ``.<name>.lock`` beside it."""
    path = Path(path)
    return path.with_name(f".{path.name}{_LOCK_SUFFIX}")


def _lock_owner(lock: Path) -> int | None:
    """The process number written in a lock file (None when unreadable or not yet written)."""
    for _ in range(20):  # the owner writes its number just after taking the lock
        try:
            text = lock.read_text(encoding="ascii").strip()
        except (OSError, UnicodeError):
            return None
        if text.isdigit():
            return int(text)
        time.sleep(0.01)
    return None


def _busy(path: Path, owner: int | None) -> AtlasError:
    who = f" (pid {owner})" if owner else ""
    return AtlasError(f"un autre calcul d'atlas{who} écrit déjà « {path} » : attendez qu'il ait fini, ou choisissez "
                      "un autre fichier de sortie avec -o.")


def _try_lock(lock: Path) -> int | None:
    """A descriptor holding ``lock`` for this process, or None when another process holds it."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    return None
                try:  # the file may have been removed by its last owner between open and flock
                    same = os.fstat(fd).st_ino == os.stat(lock).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    os.close(fd)
                    continue
            else:  # pragma: no cover - no flock: a lock of a living process is held
                owner = _lock_owner(lock)
                if owner is not None and owner != os.getpid() and pid_alive(owner):
                    os.close(fd)
                    return None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            return fd
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise


def acquire_lock(path: str | Path, *, wait_s: float | None = None) -> Path:
    """Take the lock of the output ``path`` for this process (re-entrant; see :func:`output_lock`).

    A lock left by a run that has ended (killed, crashed) is free: the system released it with the
    process, and its file is taken over.

    Raises
    ------
    AtlasError
        « un autre calcul d'atlas (pid N) écrit déjà « path » … » when another living run holds it
        after ``wait_s`` seconds (default :data:`LOCK_WAIT_S`).
    """
    path = Path(path)
    lock = lock_path(path).absolute()
    with _held_guard:
        if lock in _held:
            held_fd, depth = _held[lock]
            _held[lock] = (held_fd, depth + 1)
            return lock
    deadline = time.monotonic() + (LOCK_WAIT_S if wait_s is None else wait_s)
    while True:
        try:
            fd = _try_lock(lock)
        except OSError as exc:  # a folder we cannot write: the write itself will say why
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT):
                return lock
            raise
        if fd is not None:
            with _held_guard:
                _held[lock] = (fd, 1)
            return lock
        if time.monotonic() >= deadline:
            raise _busy(path, _lock_owner(lock))
        time.sleep(0.1)


def release_lock(lock: Path) -> None:
    """Give back a lock taken by :func:`acquire_lock` (its file is removed with the last hold)."""
    with _held_guard:
        if lock not in _held:
            return
        fd, depth = _held[lock]
        if depth > 1:
            _held[lock] = (fd, depth - 1)
            return
        del _held[lock]
    with contextlib.suppress(OSError):
        lock.unlink()  # before closing: a run waiting on this file sees it gone and makes a new one
    with contextlib.suppress(OSError):
        os.close(fd)


def remove_stale_lock(path: Path) -> Path | None:
    """Remove the lock file of ``path`` left by a run that has ended (no process holds it); its path, else None."""
    lock = lock_path(path).absolute()
    with _held_guard:
        if lock in _held:
            return None
    if not lock.exists():
        return None
    try:
        fd = _try_lock(lock)
    except OSError:
        return None
    if fd is None:  # held by a living run
        return None
    with contextlib.suppress(OSError):
        lock.unlink()
    with contextlib.suppress(OSError):
        os.close(fd)
    return lock


@contextlib.contextmanager
def output_lock(paths: Iterable[str | Path]) -> Iterator[None]:
    """Hold the lock of every output of ``paths`` for the block: another atlas run writing one of
    them stops with a French sentence instead of both writing (the last to finish winning whole).

    Every atomic write takes the lock of its destination; a command takes them earlier, before it
    reads its inputs, to be sure that two runs started together do not both compute for nothing.
    """
    taken: list[Path] = []
    try:
        for p in paths:
            taken.append(acquire_lock(p))
        yield
    finally:
        for lock in reversed(taken):
            release_lock(lock)


# --------------------------------------------------------------------------------------------
# Inputs read from one state of the file
# --------------------------------------------------------------------------------------------


def file_state(path: str | Path) -> tuple[int, int, int, int]:
    """What changes when a file is written to or replaced: (size, modification time in ns, inode,
    device); compare two with :func:`check_unchanged`."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def check_unchanged(path: str | Path, before: tuple[int, int, int, int], *,
                    error: type[AtlasError] = AtlasError) -> None:
    """Raise when ``path`` is no longer in the state ``before`` (:func:`file_state`): written to,
    replaced or removed while it was read (a copy or a save still under way).

    Raises
    ------
    AtlasError
        « Le fichier « path » a changé pendant la lecture … : relancez la commande … » (of class ``error``).
    """
    try:
        now = file_state(path)
    except OSError:
        now = None
    if now != before:
        raise error(f"Le fichier « {path} » a changé pendant la lecture (copie ou enregistrement en cours ?) : "
                    "relancez la commande quand il est complet.")
