from __future__ import annotations

import evalkit.manifest


def test_public_names_exist() -> None:
    names = list(evalkit.manifest.__all__)  # ruff (RUF022) keeps the order
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(evalkit.manifest, name), name
