"""The ``evalkit`` command line. Nothing imports this package; it may import anything."""
