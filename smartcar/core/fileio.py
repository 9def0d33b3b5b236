"""Durable file writes: temp name in the target directory, fsync, atomic rename, fsync of the directory.

A reader (Hive, a crash-restarted loader, the UI) sees either the old file or the complete new one,
never a half file, and a landed file survives a power cut before its source is deleted. Every module
that replaces a file in place (spool, landing, tail offsets, quality reports, process state, the
HBase copy) writes through here, so the protocol is written once.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (the directory entry, not just the file's bytes)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(target: Path, *, replace: bool = True) -> Iterator[BinaryIO]:
    """Write ``target`` atomically; on any error the temp file is removed and ``target`` is untouched.

    ``replace=False`` refuses to overwrite an existing ``target`` (immutable names such as spool files):
    checked before writing, and the rename is a hard link, so two writers cannot both win.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if not replace and target.exists():
        raise FileExistsError(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(3)}.tmp")
    try:
        with open(tmp, "wb", buffering=1 << 20) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
            tmp.unlink()
        fsync_dir(target.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(target: Path, text: str) -> None:
    """``atomic_writer`` for a whole UTF-8 text at once (state files, reports)."""
    with atomic_writer(target) as out:
        out.write(text.encode("utf-8"))
