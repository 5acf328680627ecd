"""Output files and folders that appear whole: a finished folder gets the usual permissions and replaces the
old one only once it is in place."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def publish(path: Path) -> None:
    """Give a finished output the usual permissions (mkstemp and mkdtemp create 0600 and 0700)."""
    umask = _umask(path.parent)
    base = 0o777 if path.is_dir() else 0o666
    path.chmod(base & ~umask)
    if path.is_dir():
        for child in path.rglob("*"):
            child.chmod((0o777 if child.is_dir() else 0o666) & ~umask)


def replace_folder(staging: Path, out: Path) -> None:
    """Move ``staging`` to ``out``; an older ``out`` is removed only after the new one is in place."""
    publish(staging)
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)


def _umask(folder: Path) -> int:
    """The process's umask, read without changing it: the mode bits a new folder in ``folder`` lacks.

    ``os.umask`` can only be read by setting it, which would race with threads creating files.
    """
    probe = Path(tempfile.mkdtemp(prefix=".umask-probe.", dir=folder))  # created 0700: say nothing
    try:
        probe.rmdir()
        probe.mkdir(0o777)  # the mode the umask leaves of 0777
        return 0o777 & ~probe.stat().st_mode
    finally:
        probe.rmdir()
