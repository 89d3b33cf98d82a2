"""SHA-256 for the audit stamp and system fingerprints, without hashlib's OpenSSL start-up cost."""

try:
    from _sha256 import sha256  # CPython's own C module: imports in ~0.2 ms, hashlib in ~2 ms
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import sha256

__all__ = ["sha256"]
