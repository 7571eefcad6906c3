"""Two processes writing one run folder: the second is refused with a clear message and writes
nothing; once the first is gone (even killed), the folder is free again."""

from __future__ import annotations

import signal
import subprocess
import sys

from cli_runs import arc_ttt, needs_arc_ttt
from upscale_tasks import write_upscale_tasks

pytestmark = needs_arc_ttt

HOLD = """
import sys, time
from pathlib import Path
from arc_ttt.adapters.run_folder import RunFolder
RunFolder(Path(sys.argv[1])).claim()
print("claimed", flush=True)
time.sleep(120)
"""


def test_a_second_process_is_refused_and_the_folder_is_free_once_the_first_is_killed(tmp_path):
    dataset = write_upscale_tasks(tmp_path / "tasks", 1)
    out = tmp_path / "run"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "claimed"
        args = ("solve", "--dataset", str(dataset), "--sources", "search", "--out", str(out))
        refused = arc_ttt(*args)
        assert refused.returncode == 1
        assert f"run folder {out} is in use by another arc-ttt process (pid {holder.pid})" in (
            refused.stderr
        )
        assert not (out / "settings.json").exists()  # the refused run wrote nothing
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    freed = arc_ttt(*args)
    assert freed.returncode == 0, freed.stderr
    assert (out / "submission.json").is_file()
