"""The one error the agent reports to its user instead of crashing."""

from __future__ import annotations


class InvoiceError(Exception):
    """A problem with the invoice or the inputs; the message says what, where, and what to do.

    ``main.py`` prints it on stderr (no traceback) and exits non-zero, which the platform
    turns into a failed execution whose error shows the message.
    """
