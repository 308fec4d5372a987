"""The asynchronous resources: the async twins of ``evalkit.client._sync``."""
