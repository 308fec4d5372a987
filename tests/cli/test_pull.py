"""``evalkit pull`` as a user runs it: a manifest it cannot update is refused before anything
is written, problems are reported as ``evalkit validate`` reports them, and a pull whose
manifest does not load afterwards never exits 0."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from evalkit.client import EigenpalClient
from evalkit.emulator.server import RunningPlatform
from evalkit.exit_codes import ExitCode

from .harness import PLATFORM_KEY, Evalkit, remote

#: an agent as 'evalkit init' and 'evalkit sync' leave it: workspace files and one example
LIVE = {
    "AGENT.md": b"# Greeter\n",
    "examples/ada/input.json": b'{"name": "Ada"}\n',
    "examples/ada/expected.json": b'{"greeting": "Hello, Ada!"}\n',
}

INLINE = """\
version: 1
agents:
  - slug: {slug}
    workspace: agents/{slug}/
    examples:
      - name: zed
        input: {{name: Zed}}
        expected: {{greeting: "Hi"}}
"""


def live_agent(platform: RunningPlatform, slug: str, files: dict[str, bytes] = LIVE) -> None:
    with EigenpalClient(api_key=PLATFORM_KEY, base_url=platform.base_url) as client:
        client.agents.create(name="Greeter", slug=slug, config={"model": "m1"})
        encoded = [
            {"path": path, "contentBase64": base64.b64encode(data).decode()}
            for path, data in files.items()
        ]
        client.agents.upload_files(slug, encoded)


def listing(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_inline_examples_are_refused_before_anything_is_written(
    evalkit: Evalkit,
    tmp_path: Path,
    platform: RunningPlatform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The new user's case: the entry names a workspace not written yet and has inline
    examples, the live agent has example folders. Pulled, the manifest would hold both."""
    live_agent(platform, "greeter-inline")
    (tmp_path / "evalkit.yaml").write_text(INLINE.format(slug="greeter-inline"))
    before = listing(tmp_path)
    monkeypatch.chdir(tmp_path)

    result = evalkit(*remote(platform.base_url), "pull", "greeter-inline")

    assert result.code == ExitCode.USAGE, result.stdout + result.stderr
    assert result.stderr.startswith(
        "error: evalkit.yaml:6:9: agent 'greeter-inline' has inline examples in the manifest (zed)"
    )
    assert "Nothing was written" in result.stderr
    assert "--dir" in result.stderr
    assert "pulled" not in result.stdout
    assert listing(tmp_path) == before


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nagents: [\n",
        "version: 1\nversion: 2\nagents: []\n",
        "version: 1\nagents:\n  - slug: Not A Slug\n",
    ],
)
def test_a_manifest_that_does_not_load_is_reported_as_validate_reports_it(
    evalkit: Evalkit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Before any platform is opened: no URL is set, and no local platform is started (its
    state would be written into the project)."""
    (tmp_path / "evalkit.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    validated = evalkit("validate")

    result = evalkit("pull", "greeter")

    assert result.code == validated.code == ExitCode.USAGE
    assert result.stderr == validated.stderr
    assert "evalkit.yaml:" in result.stderr
    assert "hint: " in result.stderr
    assert "<unicode string>" not in result.stderr
    assert "yaml.dev" not in result.stderr
    assert "platform:" not in result.stdout + result.stderr
    assert listing(tmp_path) == {"evalkit.yaml": text.encode()}


def test_a_declared_workspace_not_written_yet_is_pulled_into_and_plan_shows_no_changes(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform
) -> None:
    live_agent(platform, "greeter-declared")
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: greeter-declared  # ours\n    workspace: bots/greeter/\n"
    )
    url = remote(platform.base_url)

    pulled = evalkit(*url, "-m", manifest, "pull", "greeter-declared")

    assert pulled.code == ExitCode.OK, pulled.stderr
    assert listing(tmp_path / "bots/greeter") == LIVE
    assert "examples: bots/greeter/examples/" in manifest.read_text()
    assert evalkit(*url, "-m", manifest, "plan", "--detailed-exitcode").code == 0


def test_a_pull_whose_manifest_does_not_load_afterwards_exits_1(
    evalkit: Evalkit,
    tmp_path: Path,
    platform: RunningPlatform,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A broken example on the platform is written (to be fixed in git), and said to be one."""
    live_agent(platform, "greeter-broken", {**LIVE, "examples/ada/input.json": b"{"})
    monkeypatch.chdir(tmp_path)

    result = evalkit(*remote(platform.base_url), "pull", "greeter-broken")

    assert result.code == ExitCode.FAILURE, result.stdout + result.stderr
    assert "pulled greeter-broken" in result.stdout
    assert "evalkit.yaml does not load after the pull" in result.stderr
    assert "agents/greeter-broken/examples/ada/input.json:1:2: " in result.stderr
    assert (tmp_path / "agents/greeter-broken/examples/ada/input.json").read_bytes() == b"{"


def test_examples_in_a_folder_entry_are_pulled_into_that_folder(
    evalkit: Evalkit, tmp_path: Path, platform: RunningPlatform
) -> None:
    """The new user's case: the examples are declared as a list of {folder: ...} entries and
    nothing changed on the platform. Pulled, nothing is written and the manifest, its
    flow-style config too, stays as it was."""
    live_agent(platform, "greeter-cases")
    manifest = tmp_path / "evalkit.yaml"
    manifest.write_text(
        "version: 1\nagents:\n  - slug: greeter-cases\n    name: Greeter\n"
        "    config: {model: m1}\n    workspace: agents/greeter-cases/\n"
        "    examples:\n      - folder: cases/\n"
    )
    for path, data in LIVE.items():
        local = path.replace("examples/", "cases/") if path.startswith("examples/") else path
        target = tmp_path / ("" if local.startswith("cases/") else "agents/greeter-cases") / local
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    before = listing(tmp_path)
    url = remote(platform.base_url)

    pulled = evalkit(*url, "-m", manifest, "pull", "greeter-cases")

    assert pulled.code == ExitCode.OK, pulled.stderr
    assert "0 files written, 3 unchanged" in pulled.stdout
    assert listing(tmp_path) == before
    assert evalkit(*url, "-m", manifest, "plan", "--detailed-exitcode").code == 0
