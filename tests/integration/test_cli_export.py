"""``arc-ttt export|optimize|infer|compare-models`` run as a user runs them: the installed
command in a subprocess, on the tiny recolor model saved to a folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cli_errors import usage_error_line

ARC_TTT = shutil.which("arc-ttt")
pytestmark = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")


def arc_ttt(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARC_TTT, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.fixture(scope="module")
def model_dir(recolor_module, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-model") / "recolor"
    recolor_module.save(folder)
    return folder


@pytest.fixture(scope="module")
def exported(model_dir, tmp_path_factory):
    """``arc-ttt export`` of the saved model, with a bundle, run once for the module."""
    out = tmp_path_factory.mktemp("cli-export")
    result = arc_ttt(
        "export",
        "--model",
        str(model_dir),
        "--out",
        str(out / "recolor.onnx"),
        "--bundle",
        str(out / "bundle"),
        "--json",
    )
    return out, result


@pytest.mark.parametrize(
    ("command", "words"),
    [
        ("export", ["--model", "--adapter", "--opset", "--bundle", "example: arc-ttt export"]),
        ("optimize", ["MODEL.onnx", "--quantize", "--fp16", "example: arc-ttt optimize"]),
        ("infer", ["MODEL.onnx", "--dataset", "--stream", "--providers", "example: arc-ttt infer"]),
        ("compare-models", ["MODEL", "--limit", "example: arc-ttt compare-models"]),
    ],
)
def test_help_documents_each_command(command, words):
    result = arc_ttt(command, "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    for word in words:
        assert word in text, (command, word)


def test_export_writes_a_validated_model_and_a_bundle(exported, model_dir):
    out, result = exported
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["validation"]["ok"] is True
    assert record["validation"]["max_abs_diff"] < 1e-4
    assert record["opset"] == 18
    assert len(record["source_sha256"]) == 64
    assert (out / "recolor.onnx").stat().st_size == record["bytes"]
    bundle = out / "bundle"
    assert sorted(p.name for p in bundle.iterdir()) == [
        "README.md",
        "export.json",
        "model.onnx",
        "settings.json",
    ]
    assert "arc-ttt infer model.onnx" in (bundle / "README.md").read_text()
    assert json.loads((bundle / "export.json").read_text())["bytes"] == record["bytes"]


def test_export_prints_its_validation_report_as_text(model_dir, tmp_path):
    result = arc_ttt("export", "--model", str(model_dir), "--out", str(tmp_path / "m.onnx"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"exported {tmp_path / 'm.onnx'}")
    assert "ok   logits: max |torch - onnx|" in result.stdout
    assert "greedy answers identical" in result.stdout
    assert result.stdout.rstrip().endswith(f"valid: {tmp_path / 'm.onnx'}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "m.txt"], "--out: 'm.txt' must end in .onnx"),
        (["--out", "nowhere/m.onnx"], "--out: folder 'nowhere' does not exist"),
        (["--out", "m.onnx", "--opset", "12"], "--opset: 12 is outside the supported 18..21"),
        (["--out", "m.onnx", "--model", "missing"], "--model: 'missing' does not exist"),
        (["--out", "m.onnx", "--adapter", "missing"], "--adapter: 'missing' does not exist"),
        (["--model", "default"], "--out"),
    ],
)
def test_export_usage_errors_exit_2_naming_the_flag(args, message, tmp_path):
    result = arc_ttt("export", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in usage_error_line(result.stderr)
    assert not list(tmp_path.iterdir())


def test_exporting_a_folder_that_is_not_a_builtin_model_exits_1(tmp_path):
    folder = tmp_path / "hf"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    result = arc_ttt("export", "--model", str(folder), "--out", str(tmp_path / "m.onnx"))
    assert result.returncode == 1
    assert "only the built-in arc_decoder" in result.stderr
    assert "llama" in result.stderr
    assert not (tmp_path / "m.onnx").exists()


def test_optimize_int8_reports_sizes_and_agreement(exported, tmp_path):
    out, _ = exported
    target = tmp_path / "int8.onnx"
    result = arc_ttt(
        "optimize", str(out / "recolor.onnx"), "--quantize", "int8", "--out", str(target), "--json"
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["variant"] == "int8"
    assert record["bytes_after"] == target.stat().st_size
    assert record["bytes_after"] < record["bytes_before"]
    assert record["validation"]["ok"] is True


def test_optimize_static_int8_calibrates_the_linear_layers_only(exported, tmp_path):
    import onnx

    out, _ = exported
    target = tmp_path / "static.onnx"
    result = arc_ttt(
        "optimize",
        str(out / "recolor.onnx"),
        "--quantize",
        "static",
        "--out",
        str(target),
        "--calibration",
        "synthetic",
        "--calibration-limit",
        "4",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["variant"] == "int8-static" and record["validation"]["ok"] is True
    assert record["bytes_after"] < record["bytes_before"] / 2
    graph = onnx.load_model(str(target)).graph
    ops = [n.op_type for n in graph.node]
    assert "QuantizeLinear" in ops and "DequantizeLinear" in ops  # QDQ: ranges fixed in the file
    meta = {p.key: p.value for p in onnx.load_model(str(target)).metadata_props}
    assert meta["arc_ttt.variant"] == "int8-static"
    # Weights come quantized from the file (an initializer into DequantizeLinear); an
    # activation is quantized on the way (QuantizeLinear into DequantizeLinear). The attention's
    # products of two activations keep float inputs: no MatMul gets two quantized activations.
    nodes = {o: n for n in graph.node for o in n.output}

    def quantized_activation(name: str) -> bool:
        node = nodes.get(name)
        source = (
            nodes.get(node.input[0])
            if node is not None and node.op_type == "DequantizeLinear"
            else None
        )
        return source is not None and source.op_type == "QuantizeLinear"

    matmuls = [n for n in graph.node if n.op_type == "MatMul"]
    assert not [n.name for n in matmuls if all(quantized_activation(i) for i in n.input)]
    assert any(quantized_activation(n.input[0]) for n in matmuls)  # the linear layers are
    limit = arc_ttt(
        "optimize", str(out / "recolor.onnx"), "--quantize", "static", "--calibration-limit", "0"
    )
    assert limit.returncode == 2 and "--calibration-limit: must be at least 1" in limit.stderr


def test_optimize_defaults_to_a_graph_optimized_file_beside_the_source(exported):
    out, _ = exported
    result = arc_ttt("optimize", str(out / "recolor.onnx"))
    assert result.returncode == 0, result.stderr
    assert (out / "recolor-optimized.onnx").is_file()
    assert "MB" in result.stdout


def test_optimize_refuses_a_damaged_model_with_exit_1(tmp_path, exported):
    out, _ = exported
    cut = tmp_path / "cut.onnx"
    cut.write_bytes((out / "recolor.onnx").read_bytes()[:5000])
    result = arc_ttt("optimize", str(cut), "--out", str(tmp_path / "o.onnx"))
    assert result.returncode == 1
    assert "cut.onnx" in result.stderr
    assert "Traceback" not in result.stderr


def test_optimize_usage_errors(exported, tmp_path):
    out, _ = exported
    missing = arc_ttt("optimize", str(tmp_path / "none.onnx"))
    assert missing.returncode == 2
    assert "MODEL.onnx: " in missing.stderr
    assert "does not exist" in missing.stderr
    same = arc_ttt("optimize", str(out / "recolor.onnx"), "--out", str(out / "recolor.onnx"))
    assert same.returncode == 2
    assert "--out: must differ from MODEL.onnx" in same.stderr
    both = arc_ttt("optimize", str(out / "recolor.onnx"), "--quantize", "int8", "--fp16")
    assert both.returncode == 2
    assert "--quantize and --fp16: give one of them, not both" in both.stderr


def _recolor_folder(folder: Path) -> Path:
    """A task folder whose test inputs the recolor model answers (no demonstrations needed)."""
    folder.mkdir()
    for i, grid in enumerate(([[1, 2], [3, 4]], [[0, 5, 6]], [[7], [2], [1]])):
        task = {
            "train": [{"input": [[0]], "output": [[1]]}],
            "test": [{"input": grid, "output": [[(c + 1) % 10 for c in row] for row in grid]}],
        }
        (folder / f"recolor{i}.json").write_text(json.dumps(task))
    return folder


def test_infer_answers_a_task_folder_and_reports_latency(exported, tmp_path):
    out, _ = exported
    tasks = _recolor_folder(tmp_path / "tasks")
    result = arc_ttt(
        "infer", str(out / "recolor.onnx"), "--dataset", str(tasks), "--providers", "cpu", "--json"
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["inputs"] == 3
    assert record["with_solutions"] == 3
    assert {r["task"] for r in record["results"]} == {"recolor0", "recolor1", "recolor2"}
    latency = record["latency"]
    assert latency["requests"] >= 3
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"]
    assert latency["tokens_per_second"] > 0


def test_infer_stream_prints_rows_and_matches_the_batch_answers(exported, tmp_path):
    out, _ = exported
    tasks = _recolor_folder(tmp_path / "tasks")
    model = str(out / "recolor.onnx")
    batch = json.loads(arc_ttt("infer", model, "--dataset", str(tasks), "--json").stdout)
    streamed = arc_ttt("infer", model, "--dataset", str(tasks), "--stream")
    assert streamed.returncode == 0, streamed.stderr
    for row in batch["results"]:
        header = f"{row['task']}[{row['test']}]:"
        assert header in streamed.stdout
        if row["grid"]:
            block = streamed.stdout.split(header, 1)[1]
            first = "".join(str(c) for c in row["grid"][0])
            assert block.lstrip("\n").startswith("  " + first)
    assert "p50" in streamed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "arc-agi-1/training", "--providers", "npu"], "--providers:"),
        (["--dataset", "arc-agi-1/training", "--threads", "0"], "--threads: must be at least 1"),
        (["--dataset", "arc-agi-1/training", "--limit", "0"], "--limit: must be at least 1"),
        ([], "--dataset"),
    ],
)
def test_infer_usage_errors_exit_2(exported, args, message):
    out, _ = exported
    result = arc_ttt("infer", str(out / "recolor.onnx"), *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_infer_on_a_file_that_is_not_onnx_exits_1(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    result = arc_ttt("infer", str(bad), "--dataset", "arc-agi-1/training", "--limit", "1")
    assert result.returncode == 1
    assert "bad.onnx" in result.stderr
    assert "Traceback" not in result.stderr


def test_compare_models_puts_torch_and_onnx_side_by_side(exported, model_dir, tmp_path):
    out, _ = exported
    result = arc_ttt(
        "compare-models", str(model_dir), str(out / "recolor.onnx"), "--limit", "3", "--json"
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["models"]
    assert [r["engine"] for r in rows] == ["torch", "onnxruntime"]
    assert rows[0]["right"] == rows[1]["right"]
    assert all(r["inputs"] == 3 and r["tokens_per_second"] > 0 for r in rows)
    missing = arc_ttt("compare-models", str(tmp_path / "nothing.onnx"))
    assert missing.returncode == 2
    assert "MODEL: " in missing.stderr


def test_compare_models_takes_default_and_builtin_as_export_does(tmp_path):
    result = arc_ttt("compare-models", "default", "builtin", "--limit", "1", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["models"]
    assert [(r["model"], r["engine"]) for r in rows] == [("default", "torch"), ("builtin", "torch")]
    assert all(r["inputs"] == 1 and r["size_bytes"] > 0 for r in rows)
