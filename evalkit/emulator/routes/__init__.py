"""HTTP handling: thin FastAPI routes over the platform services (``platform.py``)."""
