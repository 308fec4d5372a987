"""The greeter agent: reads input.json, writes output.json (standard library only)."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def greet(payload: dict[str, object]) -> dict[str, object]:
    name = str(payload.get("name") or "world").strip()
    return {"greeting": f"Hello, {name}!", "letters": sum(c.isalpha() for c in name)}


if __name__ == "__main__":
    payload = json.loads((HERE / "input.json").read_text(encoding="utf-8"))
    (HERE / "output.json").write_text(json.dumps(greet(payload)), encoding="utf-8")
