"""The default model shipped inside the package: made by ``arc-ttt pretrain``, small, recorded,
never trained on an evaluation task, and what ``--model default`` loads."""

from __future__ import annotations

import json
import logging

import pytest

from arc_ttt.adapters.embedded_model import embedded_model_folder
from arc_ttt.container import model_backend
from arc_ttt.settings import Settings

FOLDER = embedded_model_folder()
pytestmark = pytest.mark.skipif(FOLDER is None, reason="this build embeds no default model")


def test_it_is_small_and_safetensors_and_json_only():
    files = {p.name: p.stat().st_size for p in FOLDER.iterdir() if p.is_file()}
    assert set(files) == {"config.json", "model.safetensors", "manifest.json"}
    assert sum(files.values()) <= 20 * 2**20


def test_its_manifest_records_data_configuration_steps_and_commit():
    manifest = json.loads((FOLDER / "manifest.json").read_text())
    config = json.loads((FOLDER / "config.json").read_text())
    assert manifest["format"] == 1
    assert {k: manifest["model"][k] for k in config} == config
    assert manifest["result"]["steps"] > 0 and manifest["result"]["tokens"] > 0
    assert len(manifest["provenance"]["git_commit"].split("+")[0]) == 40
    sources = {s["source"] for s in manifest["data"]["sources"]}
    assert sources <= {"arc1-train", "arc2-train", "synthetic"}
    assert set(manifest["data"]["held_out"]) == {"arc-agi-1/evaluation", "arc-agi-2/evaluation"}


def test_model_default_loads_it_without_the_untrained_warning(caplog):
    with caplog.at_level(logging.WARNING):
        backend = model_backend(Settings(model={"path": "default", "threads": 1}))
    assert not [r for r in caplog.records if "untrained" in r.getMessage()]
    base = backend.standalone(backend.base())
    config = json.loads((FOLDER / "config.json").read_text())
    assert base.arc_config.d_model == config["d_model"]
    assert (
        sum(p.numel() for p in base.parameters())
        == json.loads((FOLDER / "manifest.json").read_text())["model"]["parameters"]
    )
