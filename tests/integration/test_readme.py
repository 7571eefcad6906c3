"""README's promises: its test command is the one CI runs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    block = (
        readme.split("Run the tests")[1].split("```bash\n")[1].split("```")[0].strip().splitlines()
    )
    ci = (ROOT / ".ci" / "run").read_text()
    ci_block = ci.split("# --- README: test command")[1].split("# --- end ---")[0]
    ci_lines = [ln for ln in ci_block.splitlines()[1:] if ln.strip()]
    assert ci_lines[:2] == block[:2]
    assert block[2] in ci_lines  # the pytest line, run with its exit code captured
