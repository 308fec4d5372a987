from __future__ import annotations

import subprocess
import sys


def test_a_module_kept_out_cannot_be_imported_and_one_imported_already_stays() -> None:
    probe = (
        "import sys, json; from evalkit.unused_modules import keep_out; "
        "keep_out('json', 'xml.dom.minidom'); "
        "import json as again; print(again is json); "
        "exec('try:\\n import xml.dom.minidom\\nexcept ImportError:\\n print(\"kept out\")')"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.split("\n")[:2] == ["True", "kept out"]


def test_the_library_keeps_out_nothing_of_its_users() -> None:
    """Only evalkit's own processes keep modules out: importing evalkit changes nothing."""
    probe = (
        "import evalkit.evaluation, evalkit.emulator.server, sys; "
        "from pydantic import v1; import httpx._main; "
        "print(sys.modules['pydantic.v1'] is not None, sys.modules['httpx._main'] is not None)"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["True", "True"]
