"""Every Python block of the READMEs runs as written, except blocks marked ``<!-- docs-test: skip (why) -->``;
the blocks of docs/CUSTOM_SCENARIOS.md run top to bottom in one folder."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READMES = [ROOT / "README.md", *sorted((ROOT / "packages").glob("*/README.md"))]
BLOCK = re.compile(r"(<!-- docs-test: skip[^\n]*-->\n)?```python\n(.*?)```", re.S)


def blocks():
    for readme in READMES:
        for n, match in enumerate(BLOCK.finditer(readme.read_text())):
            marks = [pytest.mark.skip(reason=match.group(1).strip())] if match.group(1) else []
            yield pytest.param(match.group(2), id=f"{readme.relative_to(ROOT)}#{n}", marks=marks)


@pytest.mark.parametrize("code", list(blocks()))
def test_readme_python_block_runs_as_written(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "<readme>", "exec"), {"__name__": "__readme__"})


def test_custom_scenarios_page_runs_top_to_bottom(tmp_path, monkeypatch):
    """docs/CUSTOM_SCENARIOS.md is one walk-through: its blocks run in order, in one folder."""
    monkeypatch.chdir(tmp_path)
    page = ROOT / "docs" / "CUSTOM_SCENARIOS.md"
    for n, match in enumerate(BLOCK.finditer(page.read_text())):
        assert not match.group(1), "every block of the walk-through runs"
        exec(compile(match.group(2), f"<{page.name} block {n}>", "exec"), {"__name__": "__docs__"})


def test_the_readme_preset_table_is_the_preset_registry():
    """The presets are described once, in ``rmo_agents.presets.PRESETS``: the README's table shows exactly them."""
    from rmo_agents.presets import PRESETS

    text = (ROOT / "README.md").read_text()
    table = text[text.index("| preset | what it is |"):].split("\n\n")[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|$", table, re.M))
    assert rows == {name: entry.summary for name, entry in PRESETS.items()}
