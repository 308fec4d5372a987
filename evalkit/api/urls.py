"""Credentials never travel inside a URL that evalkit prints, logs or records.

The platform authenticates with a bearer key; a ``user:password@`` part in a base URL is never
needed, nor a query or a fragment, and a key pasted there would otherwise reach error messages,
logs, results and reports.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
# Anything between '//' and the last '@' before the host: what urlsplit calls the userinfo.
_USERINFO = re.compile(r"(?<=//)[^/?#]*@")
# From the first '?' or '#' on: the query and the fragment.
_QUERY_OR_FRAGMENT = re.compile(r"[?#].*", re.DOTALL)


def has_credentials(url: str) -> bool:
    """True when ``url`` carries a ``user[:password]@`` part."""
    return _USERINFO.search(url) is not None


def has_query_or_fragment(url: str) -> bool:
    """True when ``url`` has a ``?`` or a ``#``, however empty what follows it."""
    return _QUERY_OR_FRAGMENT.search(url) is not None


def redact_url(url: str) -> str:
    """``url`` with its ``user:password@`` part replaced by ``***@`` and what follows its first
    ``?`` or ``#`` by ``***``; safe on malformed URLs."""
    url = _QUERY_OR_FRAGMENT.sub(lambda found: found.group()[0] + REDACTED, url, count=1)
    if not has_credentials(url):
        return url
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{REDACTED}@{host}"))
    except ValueError:  # e.g. a bad port or an unbalanced IPv6 bracket
        return _USERINFO.sub(f"{REDACTED}@", url)


__all__ = ["REDACTED", "has_credentials", "has_query_or_fragment", "redact_url"]
