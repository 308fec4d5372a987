"""Credentials never travel inside a URL that evalkit prints, logs or records.

The platform authenticates with a bearer key; a ``user:password@`` part in a base URL is never
needed, and a key pasted there would otherwise reach error messages, logs, results and reports.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
# Anything between '//' and the last '@' before the host: what urlsplit calls the userinfo.
_USERINFO = re.compile(r"(?<=//)[^/?#]*@")


def has_credentials(url: str) -> bool:
    """True when ``url`` carries a ``user[:password]@`` part."""
    return _USERINFO.search(url) is not None


def redact_url(url: str) -> str:
    """``url`` with its ``user:password@`` part replaced by ``***@``; safe on malformed URLs."""
    if not has_credentials(url):
        return url
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{REDACTED}@{host}"))
    except ValueError:  # e.g. a bad port or an unbalanced IPv6 bracket
        return _USERINFO.sub(f"{REDACTED}@", url)


__all__ = ["REDACTED", "has_credentials", "redact_url"]
