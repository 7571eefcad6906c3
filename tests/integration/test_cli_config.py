"""Settings precedence as a user meets it: flags > ARC_TTT_* > --config FILE > defaults, shown by
``arc-ttt config show`` and honoured by a solve run; -v/-vv logging; bad config files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.synthetic import generate_task
from cli_errors import error_line, usage_error_line

ARC_TTT = shutil.which("arc-ttt")
pytestmark = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")


def arc_ttt(*args: str, env: dict[str, str] | None = None, cwd=None, timeout=120):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARC_TTT_")}
    return subprocess.run(
        [ARC_TTT, *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def shown(*args: str, env: dict[str, str] | None = None) -> dict[str, dict]:
    result = arc_ttt(*args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["settings"]


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "run.toml"
    path.write_text("seed = 11\n[ttt]\nsteps = 32\nlora_rank = 8\n[decode]\nstrategy = 'dfs'\n")
    return path


def test_defaults_everywhere_without_file_environment_or_flags():
    rows = shown("config", "show")
    assert rows["ttt.steps"] == {"value": 48, "source": "default", "from": None}
    assert rows["decode.views"]["value"] == 4 and rows["log_level"]["value"] == "WARNING"
    assert {r["source"] for r in rows.values()} == {"default"}


def test_each_layer_overrides_the_one_below(config):
    file_only = shown("config", "show", "--config", str(config))
    assert file_only["ttt.steps"] == {"value": 32, "source": "config", "from": str(config)}
    assert file_only["seed"]["value"] == 11 and file_only["decode.strategy"]["value"] == "dfs"
    env = {"ARC_TTT_TTT__STEPS": "40"}
    over_file = shown("--config", str(config), "config", "show", env=env)  # before the command
    assert over_file["ttt.steps"] == {"value": 40, "source": "env", "from": "ARC_TTT_TTT__STEPS"}
    assert over_file["ttt.lora_rank"]["source"] == "config"  # the rest of the file still counts
    flag = shown("config", "show", "--config", str(config), "--set", "ttt.steps=7", env=env)
    assert flag["ttt.steps"] == {"value": 7, "source": "flag", "from": "--set ttt.steps=7"}
    whole_section = shown("config", "show", env={"ARC_TTT_DECODE": '{"views": 2}'})
    assert whole_section["decode.views"] == {"value": 2, "source": "env", "from": "ARC_TTT_DECODE"}


def test_table_names_each_source(config):
    result = arc_ttt("config", "show", "--config", str(config), env={"ARC_TTT_SEED": "3"})
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["setting", "value", "source"]
    lines = {line.split()[0]: line for line in rows}
    assert lines["ttt.steps"].split()[1:] == ["32", "config", str(config)]
    assert lines["seed"].split()[1:] == ["3", "env", "ARC_TTT_SEED"]
    assert lines["decode.views"].split()[1:] == ["4", "default"]
    assert len(lines) == len(shown("config", "show"))


@pytest.fixture(scope="module")
def one_task(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tasks")
    task = generate_task("recolor", 5, n_train=2, max_side=3)
    (folder / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
    return folder


SOLVE_TOML = """
sources = ["neural"]
[model]
path = "builtin"
d_model = 16
layers = 1
heads = 1
threads = 1
[ttt]
method = "full"
steps = 2
early_stop_loss = 1e-12
[decode]
views = 1
"""


@pytest.mark.parametrize(
    ("env", "flags", "steps"),
    [({"ARC_TTT_TTT__STEPS": "3"}, [], 3), ({"ARC_TTT_TTT__STEPS": "3"}, ["--steps", "4"], 4)],
)
def test_solve_trains_for_the_steps_of_the_highest_layer(tmp_path, one_task, env, flags, steps):
    config = tmp_path / "solve.toml"
    config.write_text(SOLVE_TOML)
    out = tmp_path / "run"
    args = ["solve", "--dataset", str(one_task), "--out", str(out), "--config", str(config)]
    result = arc_ttt(*args, *flags, "-q", env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    trained = [json.loads(line)["train_steps"] for line in (out / "results.jsonl").open()]
    assert trained == [steps]
    saved = json.loads((out / "settings.json").read_text())
    assert saved["ttt"]["steps"] == steps
    assert (saved["decode"]["views"], saved["model"]["d_model"]) == (1, 16)  # from the file


def test_verbosity_logs_through_logging_on_stderr():
    quiet = arc_ttt("datasets", "--json")
    assert quiet.returncode == 0 and quiet.stderr == ""
    info = arc_ttt("-v", "datasets", "--json")
    assert info.returncode == 0, info.stderr
    json.loads(info.stdout)  # logs never mix into the machine-readable result
    assert "arc-ttt: info: settings: 1 from flags" in info.stderr
    assert "debug" not in info.stderr
    debug = arc_ttt("datasets", "-vv", "--set", "ttt.steps=9", "--json")
    assert debug.returncode == 0, debug.stderr
    assert (
        "arc_ttt.cli.origin: debug: setting ttt.steps = 9 (flag --set ttt.steps=9)" in debug.stderr
    )
    from_env = arc_ttt("datasets", "--json", env={"ARC_TTT_LOG_LEVEL": "INFO"})
    assert "arc-ttt: info: settings:" in from_env.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[ttt]\nstepz = 3\n", "{file}: ttt.stepz: unknown setting (did you mean ttt.steps?)"),
        ("[ttt]\nsteps = 0\n", "{file}: ttt.steps: Input should be greater than 0"),
        ("[decode]\nstrategy = 'beam'\n", "{file}: decode.strategy: Input should be 'greedy'"),
        ("colour = 3\n", "{file}: colour: unknown setting"),
        ("ttt = 3\n", "{file}: ttt: Input should be a valid dictionary"),
        ("[ttt\nsteps = 3\n", "{file}: not valid TOML"),
    ],
)
def test_a_bad_config_file_is_one_line_naming_file_and_key(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    for args in (["config", "show"], ["datasets"]):
        result = arc_ttt(*args, "--config", "bad.toml", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert usage_error_line(result.stderr).startswith(message.format(file="bad.toml"))
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--config", "missing.toml"], {}, "--config: file 'missing.toml' does not exist"),
        (["--config"], {}, "Option '--config' requires an argument"),
        (["--config", "-v"], {}, "Invalid value for '--config': expected a FILE, got '-v'"),
        (["--set", "ttt.steps"], {}, "--set: expected KEY=VALUE"),
        (["--set", "ttt.steps=-1"], {}, "--set ttt.steps=-1: ttt.steps: Input should be greater"),
        (
            ["--set", "ttt.lora_rnk=4"],
            {},
            "ttt.lora_rnk: unknown setting (did you mean ttt.lora_rank?)",
        ),
        ([], {"ARC_TTT_TTT__STEPS": "many"}, "ARC_TTT_TTT__STEPS: Input should be a valid integer"),
        (["--conf", "x.toml"], {}, "No such option '--conf'. (Did you mean one of: '--config'"),
    ],
)
def test_bad_global_options_and_environment_exit_2(tmp_path, args, env, message):
    result = arc_ttt("config", "show", *args, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert message in error_line(result.stderr)


def test_conflicting_global_options(one_task, tmp_path, config):
    result = arc_ttt("solve", "--dataset", str(one_task), "--out", str(tmp_path), "-q", "-v")
    assert result.returncode == 2 and "-q and -v contradict each other" in result.stderr
    resumed = arc_ttt("solve", "--resume", str(tmp_path), "--config", str(config))
    assert resumed.returncode == 2
    assert "--resume continues a run with its own settings; drop --config" in resumed.stderr
    twice = arc_ttt("config", "show", "--config", str(config), "--config", str(config))
    assert twice.returncode == 2 and "'--config': given twice" in twice.stderr


def test_help_lists_config_and_the_global_options():
    top = arc_ttt("--help").stdout
    assert "config" in top and "--config FILE" in top and "-v, --verbose" in top
    for args in (["config", "--help"], ["config", "show", "--help"]):
        text = arc_ttt(*args).stdout
        assert "example" in text and "arc-ttt config show" in text and "--set KEY=VALUE" in text
    assert "--config FILE" in arc_ttt("solve", "--help").stdout
    missing = arc_ttt("config")  # a group without its command: click prints the group's help
    assert missing.returncode == 2 and "Commands:" in missing.stderr + missing.stdout
