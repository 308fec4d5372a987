"""The local EigenPal platform: the v1 API on loopback, SQLite state, agents really executed.

The emulator imports ``evalkit.api`` and never the client.
"""
