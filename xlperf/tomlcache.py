"""Parsed TOML data files, remembered on disk by the hash of their bytes (like __pycache__).

tomllib is pure Python: importing it and parsing the indicator system and the
layout cost every CLI run about 5 ms, a large share of a one-workbook fill. The
parsed data (plain dicts, lists and strings) is kept with ``marshal`` under the
user's cache folder; a missing, unreadable or stale entry simply means parsing
again, and a folder that cannot be written is never an error.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path

from .digest import sha256

# marshal's format is tied to the interpreter: the version is part of the key.
_FORMAT = f"{sys.version_info[0]}.{sys.version_info[1]}-1"


def cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/xlperf or ~/.cache/xlperf; None (no cache) when turned off or there is no home."""
    if os.environ.get("XLPERF_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        # expanduser, not Path.home(): with HOME unset and no passwd entry it leaves "~" instead of raising.
        home = os.path.expanduser("~")
        if home in ("~", "/", "") or not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "xlperf"


def loads(data: bytes) -> dict:
    """``tomllib.loads(data.decode())``, from the cache when these exact bytes were parsed before.

    Raises tomllib.TOMLDecodeError or UnicodeDecodeError as tomllib would.
    """
    folder = cache_dir()
    entry = folder / f"{sha256(data + _FORMAT.encode()).hexdigest()}.marshal" if folder else None
    if entry is not None:
        try:
            cached = marshal.loads(entry.read_bytes())
            if isinstance(cached, dict):
                return cached
        except (OSError, ValueError, EOFError, TypeError):
            pass
    import tomllib

    parsed = tomllib.loads(data.decode("utf-8"))
    if entry is not None:
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
            tmp.write_bytes(marshal.dumps(parsed))
            os.replace(tmp, entry)
        except (OSError, ValueError):
            pass  # a read-only home or an exotic value: parse again next time
    return parsed
