"""What makes an API key usable: one rule for the client that sends it and the platform that
accepts it. A key travels as ``Authorization: Bearer <key>``, and HTTP carries a header only as
it is: a client refuses to send a key it cannot carry (and its error would quote the header),
and a platform that accepted only such a key would answer 401 to everyone."""

from __future__ import annotations


def api_key_problem(key: str) -> str | None:
    """What makes ``key`` unusable, in words that never quote it; None when it is usable."""
    if not key:
        return "is empty"
    if key != key.strip():
        return "has spaces or a newline around it"
    if not key.isascii():
        return "has a non-ASCII character"
    if not key.isprintable():
        return "has a line break or another control character"
    return None


__all__ = ["api_key_problem"]
