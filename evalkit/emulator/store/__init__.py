"""The platform's state and rules (SQLite + content-addressed blobs), free of HTTP."""
