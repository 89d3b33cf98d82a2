"""Where an atomic write may land, and its temp files: named so that leftovers are found and removed.

An output is written to a temp file beside the target, fsynced and renamed over it. The temp name
``.<output>.~xlperf-<host>-<pid>-<random>.tmp`` says who wrote it: a later write into the same
folder removes those of this host whose process is gone (a kill -9 at the write moment), and any
older than a day (another host's, or a pid since reused); so is a writer's folder of temp files
named so (the batch summary's parts). A target that is not a regular file (a
folder, device, FIFO, or a link to one) is never replaced.
"""

from __future__ import annotations

import os
import stat
import time
import zlib
from pathlib import Path
from typing import Callable

STALE_SECONDS = 24 * 3600  # no write takes a day: whatever is older was left behind
_MARK = ".~xlperf-"
_HEX = frozenset("0123456789abcdef")


def parse_leftover(name: str) -> tuple[str, int] | None:
    """(host tag, pid) of a temp file name this module makes, else None (string checks: no regex to compile)."""
    at = name.rfind(_MARK)
    if not name.startswith(".") or not name.endswith(".tmp") or at < 2:
        return None
    fields = name[at + len(_MARK): -4].split("-")
    if len(fields) != 3:
        return None
    host, pid, rand = fields
    if len(host) != 8 or len(rand) != 8 or not set(host + rand) <= _HEX or not pid.isdigit() or len(pid) > 10:
        return None
    return host, int(pid)


def _host() -> str:
    name = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
    return f"{zlib.crc32(name.encode('utf-8', 'replace')):08x}"


# A file name may take 255 bytes (ext4, XFS, APFS; NTFS 255 UTF-16 units, never fewer characters). An
# output's temp adds 42 at most to its name, so a name this tool makes up stays within the rest.
MAX_NAME = 255
TEMP_EXTRA = len(".") + len(".~xlperf-") + 8 + len("-") + 10 + len("-") + 8 + len(".tmp")
MAX_MADE_NAME = MAX_NAME - TEMP_EXTRA
ELLIPSIS = "…"


def fitted_name(stem: str, tail: str, limit: int = MAX_MADE_NAME) -> str:
    """stem + tail, the stem cut short (whole characters, then "…") so that the name fits ``limit`` bytes:
    a unit's long file name ("XX市XX区……（最终版）.xlsx") plus "-已评分" may be longer than a disk allows."""
    if _size(stem + tail) <= limit:
        return stem + tail
    room = limit - _size(ELLIPSIS + tail)
    cut = stem[:room]  # no character takes fewer than one byte
    while cut and _size(cut) > room:
        cut = cut[:-1]
    return cut + ELLIPSIS + tail


def _size(name: str) -> int:
    return len(os.fsencode(name))


def temp_name(out: Path) -> Path:
    # os.urandom, not secrets: the name only has to be unlikely, and secrets pulls in OpenSSL (~2 ms).
    # A target named right up to the limit (given with -o) gets a temp whose copy of its name is cut short.
    writer = f".~xlperf-{_host()}-{os.getpid()}-{os.urandom(4).hex()}.tmp"
    return out.with_name(fitted_name(f".{out.name}", writer, MAX_NAME))


def _alive(pid: int) -> bool:
    if os.name == "nt" or pid <= 0:
        return True  # no safe probe there (os.kill terminates on Windows): age alone decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def remove_leftovers(folder: Path, also: Callable[[str], bool] | None = None) -> list[Path]:
    """Remove the temp files earlier interrupted writes left in ``folder``; the removed paths.

    ``also``: names of files to remove whoever made them and whenever (in the same one listing)."""
    removed = []
    host, now = _host(), time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        doomed = also is not None and also(entry.name)
        if not doomed and _MARK not in entry.name:
            continue
        found = None if doomed else parse_leftover(entry.name)
        try:
            folder_of_parts = found is not None and entry.is_dir(follow_symlinks=False)
            if not (doomed or found) or not (folder_of_parts or entry.is_file(follow_symlinks=False)):
                continue
            gone = doomed or (found[0] == host and found[1] != os.getpid() and not _alive(found[1]))
            if gone or now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                if folder_of_parts:
                    _remove_folder(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue  # someone else removed it, or it is not ours to remove
    return removed


def _remove_folder(path: str) -> None:
    """A writer's own folder of temp files (the summary's parts): its files, then itself. One holding
    anything else (a folder, a link) is not what a writer leaves: it stays as it is."""
    entries = list(os.scandir(path))
    if not all(e.is_file(follow_symlinks=False) for e in entries):
        raise IsADirectoryError(path)
    for entry in entries:
        os.unlink(entry.path)
    os.rmdir(path)


# A caller that clears its folders itself sets this False: `xlperf batch` clears its output folder once
# before its workers write, where a scan per write would cost O(outputs) each time.
CLEAN_ON_WRITE = True


def open_temp(out: Path) -> tuple[Path, int]:
    if CLEAN_ON_WRITE:
        remove_leftovers(out.parent)
    for _ in range(100):
        tmp = temp_name(out)
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(out)


def target_problem(out: Path) -> str | None:
    """Why ``out`` must not be replaced ("OUTPUT_NOT_FILE" / "READ_ONLY"), or None: absent or a writable file."""
    try:
        info = os.stat(out)  # follows a link: a link to a FIFO is a FIFO
    except OSError:
        return None  # absent, or its folder cannot be reached: the write itself reports WRITE_FAILED
    if not stat.S_ISREG(info.st_mode):
        return "OUTPUT_NOT_FILE"
    # Mode bits, not only os.access: root may write anything, yet a read-only file says "keep me".
    if not info.st_mode & 0o222 or not os.access(out, os.W_OK):
        return "READ_ONLY"
    return None


# A caller that syncs its folders itself sets this False: `xlperf batch` syncs each output folder once when
# its files are done, instead of once per output (a round trip per file on network storage).
SYNC_FOLDER_ON_WRITE = True


def renamed_into(folder: Path) -> None:
    """After a rename into ``folder``: make the new name durable, unless the caller does it for many at once."""
    if SYNC_FOLDER_ON_WRITE:
        fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on Windows; the rename itself is still atomic there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
