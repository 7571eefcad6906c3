"""arc_ttt.testing is public: the example in docs/architecture.md runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import arc_ttt.testing

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_the_documented_example_runs():
    section = DOC.read_text().split("## Testing code that embeds arc_ttt", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    exec(compile(code, str(DOC), "exec"), {})


def test_every_double_is_exported_and_importing_them_does_not_import_torch():
    assert sorted(arc_ttt.testing.__all__) == [
        "CannedCandidateSource",
        "FakeClock",
        "FixedMemory",
        "RecordingProgress",
        "ScriptedModel",
        "ScriptedPretrainer",
    ]
    code = "import sys, arc_ttt.testing; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
