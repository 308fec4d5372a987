"""Mangled invoices: the agent either reads them or refuses them clearly; it never crashes.

The agent's modules are loaded in-process here (from the workspace, as ``python main.py``
would import them) so that hypothesis can try many damaged files quickly.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .invoice_harness import WORKSPACE, output_validator

INVOICES = sorted((WORKSPACE / "examples").glob("*/input/invoice.*"))
NOISE = [*" ,;|\t\n.:-0123456789$€'\"()", "Total", "Date:", "Invoice No:", "\u00a0"]


@pytest.fixture(scope="module")
def agent() -> Iterator[ModuleType]:
    sys.path.insert(0, str(WORKSPACE))
    try:
        spec = importlib.util.spec_from_file_location(
            "invoice_extractor_main", WORKSPACE / "main.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(WORKSPACE))


@st.composite
def mangled_invoice(draw: st.DrawFn) -> tuple[str, str]:
    source = draw(st.sampled_from(INVOICES))
    text = source.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + text[at + draw(st.integers(1, 30)) :]
        else:
            text = text[:at] + draw(st.sampled_from(NOISE)) + text[at:]
    return source.name, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invoice=mangled_invoice())
def test_a_mangled_invoice_is_read_or_refused_never_crashes(
    agent: ModuleType, invoice: tuple[str, str]
) -> None:
    name, text = invoice
    errors = sys.modules["invoice_parsers.errors"]
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        (scratch / "input").mkdir()
        (scratch / "input" / name).write_text(text, encoding="utf-8")
        document = {"invoice": {"file": f"input/{name}", "filename": name}}
        (scratch / "input.json").write_text(json.dumps({**document, "default_currency": "EUR"}))
        try:
            result = agent.extract(scratch, [], [])
        except errors.InvoiceError as err:
            refusal = str(err)
        else:
            agent.write_outputs(result.invoice, scratch)
            output = json.loads((scratch / "output.json").read_text("utf-8"))
            output_validator().validate(output)
            return
    assert refusal.startswith(name)  # every refusal names the file it is about
