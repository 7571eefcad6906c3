"""The TrainingLog contract for metrics.jsonl + manifest.json in a folder and for the memory fake;
for the folder also: a new process (a resumed run) drops what the stopped one logged past its
state, and a line cut short by a kill is skipped."""

import json

import pytest
from training_log import TrainingLogContract, record

from arc_ttt.adapters.training_log import (
    MANIFEST_FILE,
    METRICS_FILE,
    FolderTrainingLog,
    MemoryTrainingLog,
)


class TestMemoryTrainingLog(TrainingLogContract):
    @pytest.fixture
    def log(self, tmp_path):
        return MemoryTrainingLog()


class TestFolderTrainingLog(TrainingLogContract):
    @pytest.fixture
    def log(self, tmp_path):
        return FolderTrainingLog(tmp_path / "model")

    def test_a_resumed_process_drops_what_the_killed_one_logged_past_its_state(self, tmp_path):
        folder = tmp_path / "model"
        killed = FolderTrainingLog(folder)
        for step in (1, 2, 3, 4, 5):
            killed.append(record(step))
        with open(folder / METRICS_FILE, "a") as f:
            f.write('{"step": 6, "train_lo')  # killed in the middle of a line
        resumed = FolderTrainingLog(folder)  # its state was saved at step 3
        resumed.append(record(4, loss=2.0))
        resumed.append(record(5, loss=3.0))
        lines = (folder / METRICS_FILE).read_text().splitlines()
        assert [json.loads(line)["step"] for line in lines] == [1, 2, 3, 4, 5]
        assert json.loads(lines[-1])["train_loss"] == 3.0

    def test_files_are_json_on_disk(self, log, tmp_path):
        log.append(record(1))
        log.write_manifest({"format": 1})
        folder = tmp_path / "model"
        assert json.loads((folder / MANIFEST_FILE).read_text()) == {"format": 1}
        assert json.loads((folder / METRICS_FILE).read_text()) == record(1)
