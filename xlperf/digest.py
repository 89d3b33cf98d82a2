"""SHA-256 for the audit stamp and system fingerprints, without hashlib's OpenSSL start-up cost.

hashlib loads OpenSSL (≈ 3.5 ms, measured with -X importtime on CPython 3.11), a noticeable share
of a one-workbook `xlperf fill`. CPython ships its own SHA-256 as a C module whose name is
private and changed between versions (``_sha256`` up to 3.11, ``_sha2`` from 3.12), so both are
tried and hashlib stays the fallback; tests/test_api.py checks every path gives hashlib's digest.

Once hashlib is loaded anyway (a batch loads it before forking its workers), its OpenSSL SHA-256 is
used: with the CPU's SHA instructions it hashes a workbook several times faster than CPython's own.
"""

import sys

try:
    from _sha2 import sha256 as _builtin  # CPython ≥ 3.12
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha256 import sha256 as _builtin  # CPython ≤ 3.11
    except ImportError:
        from hashlib import sha256 as _builtin


def sha256(data: bytes = b""):
    """A SHA-256 hash object (hashlib's interface: update, digest, hexdigest)."""
    loaded = sys.modules.get("hashlib")
    return loaded.sha256(data) if loaded is not None else _builtin(data)


__all__ = ["sha256"]
