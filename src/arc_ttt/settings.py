"""One settings model for the whole library; the only code that reads the environment.

Values come from (highest first): arguments, flag values (``settings_layers(flags=...)``),
``ARC_TTT_*`` environment variables (nested sections with ``__``, e.g. ``ARC_TTT_TTT__STEPS=32``),
a TOML config file (``settings_layers(config_file=...)``, same sections: ``[ttt]`` ``steps = 32``),
then defaults. Unknown keys are refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
from arc_ttt.domain.ttt_dataset import TTTSetOptions

# The defaults of the options the settings map to: one place for the library and the CLI.
_TRAIN = TrainOptions()
_TTT_SET = TTTSetOptions()
_DECODE = DecodeOptions()


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RenderSettings(_Section):
    """How pictures of grids are drawn."""

    cell_size: int = Field(16, gt=0, le=100, description="pixels per cell side")
    line: int = Field(1, ge=0, le=10, description="pixels of grid line between cells")


class ModelSettings(_Section):
    """Which model solves: ``default`` (embedded), ``builtin`` (untrained), or a local folder."""

    path: str = Field("default", min_length=1)
    d_model: int = Field(128, gt=0, le=4096, description="width of an untrained built-in model")
    layers: int = Field(4, gt=0, le=64)
    heads: int = Field(4, gt=0, le=64)
    threads: int | None = Field(None, gt=0, description="torch CPU threads (None: torch's default)")
    precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto", description="auto: bf16 on a GPU that supports it, fp32 elsewhere"
    )
    format: Literal["auto", "arc_ttt", "architects", "marc", "nvarc"] = Field(
        "auto",
        description="prompt format of a model folder (auto: its arc_ttt_format.json, else told "
        "from its tokenizer; see docs/models.md)",
    )


class TTTSettings(_Section):
    """Test-time training: of each task (``per-task``), of one model on the demonstrations of
    all tasks of the set (``shared``), or none (``none`` decodes with the base model)."""

    mode: Literal["per-task", "shared", "none"] = "per-task"
    method: Literal["auto", "lora", "full"] = Field(
        "auto",
        description="auto: full fine-tuning of the small built-in model (default/builtin), "
        "LoRA for a model folder",
    )
    steps: int = Field(_TRAIN.steps, gt=0, le=100_000)
    batch_size: int = Field(_TRAIN.batch_size, gt=0, le=1024)
    grad_accumulation: int = Field(_TRAIN.grad_accumulation, gt=0, le=1024)
    learning_rate: float = Field(_TRAIN.learning_rate, gt=0, le=1.0)
    warmup_steps: int = Field(_TRAIN.warmup_steps, ge=0)
    weight_decay: float = Field(_TRAIN.weight_decay, ge=0)
    lora_rank: int = Field(_TRAIN.lora_rank, gt=0, le=1024)
    lora_alpha: int = Field(_TRAIN.lora_alpha, gt=0)
    lora_dropout: float = Field(_TRAIN.lora_dropout, ge=0, lt=1)
    copies_per_demo: int = Field(
        _TTT_SET.per_subtask,
        gt=0,
        le=1000,
        description="augmented copies of each leave-one-out sub-task",
    )
    loss_on: Literal["outputs", "target"] = _TTT_SET.loss_on
    max_tokens: int = Field(
        _TTT_SET.max_tokens, gt=0, description="longer training sequences are skipped"
    )
    max_seconds_per_task: float | None = Field(None, gt=0)
    gradient_checkpointing: bool = Field(
        _TRAIN.gradient_checkpointing,
        description="recompute activations in the backward pass: less memory, more time",
    )
    early_stop_loss: float | None = Field(_TRAIN.early_stop_loss, gt=0)


class DecodeSettings(_Section):
    """Candidate generation and selection."""

    strategy: Literal["greedy", "dfs"] = _DECODE.strategy
    views: int = Field(
        4, gt=0, le=64, description="augmented views decoded and scored per test input"
    )
    min_prob: float = Field(_DECODE.min_prob, gt=0, le=1)
    max_candidates: int = Field(_DECODE.max_candidates, gt=0, le=256)
    max_expansions: int = Field(
        _DECODE.max_expansions,
        gt=0,
        description="DFS budget: model steps per prompt before the search stops",
    )
    batch_size: int = Field(_DECODE.batch_size, gt=0, le=1024)
    constrained: bool = Field(
        _DECODE.constrained,
        description="decode only answers that form a valid grid (equal rows, <= 30 x 30)",
    )
    product_of_experts: bool = True


class BudgetSettings(_Section):
    """Limits of a solve run (see ``arc_ttt.application.solve.Budget``)."""

    total_seconds: float | None = Field(
        7200, gt=0, description="time for the whole run, shared out over the tasks (None: none)"
    )
    task_seconds: float | None = Field(None, gt=0, description="cap per task")
    train_share: float = Field(0.6, gt=0, le=1, description="share of a task's time for TTT")
    host_memory_gb: float | None = Field(10, gt=0, description="process RSS limit during TTT")
    gpu_memory_gb: float | None = Field(
        16, gt=0, description="CUDA memory cap (torch per-process memory fraction)"
    )
    oom_retries: int = Field(2, ge=0, le=10)


class SearchSettings(_Section):
    """The program search (``sources`` including ``search``)."""

    max_depth: int = Field(3, ge=0, le=6, description="most operations in a program")
    seconds: float = Field(10.0, gt=0, le=86_400, description="search time per task")
    memory_gb: float = Field(4.0, gt=0, le=1024, description="cap on the search's stored states")
    workers: int = Field(2, ge=1, le=256, description="processes searching tasks side by side")
    skip_neural_when_exact: bool = Field(
        True,
        description="no test-time training for a task whose every test input has an "
        "exact-fit program",
    )


class PretrainSettings(_Section):
    """``arc-ttt pretrain``: data, schedule, validation and checkpoints of a pretraining run
    (the model's size is ``model``'s, its seed the top-level ``seed``)."""

    data: tuple[Literal["arc1-train", "arc2-train", "synthetic"], ...] = Field(
        ("arc1-train", "arc2-train", "synthetic"),
        min_length=1,
        description="task sources; never evaluation sets",
    )
    synthetic_tasks: int = Field(1000, ge=0, le=1_000_000)
    steps: int = Field(
        20_000, gt=0, le=100_000_000, description="optimizer steps (cosine ends here)"
    )
    minutes: float | None = Field(None, gt=0, description="time cap; the state is saved at it")
    batch_size: int = Field(16, gt=0, le=4096)
    grad_accumulation: int = Field(1, gt=0, le=1024)
    learning_rate: float = Field(1e-3, gt=0, le=1.0)
    warmup_steps: int = Field(200, ge=0)
    weight_decay: float = Field(0.01, ge=0)
    max_tokens: int = Field(8192, gt=0, le=65_536, description="longer sequences are left out")
    val_fraction: float = Field(0.05, ge=0, le=0.5, description="tasks held out per source")
    eval_every: int = Field(500, gt=0)
    patience: int = Field(5, ge=0, description="validations without improvement (0: never stop)")
    min_delta: float = Field(0.0, ge=0, description="smallest validation gain that counts")
    log_every: int = Field(10, gt=0)
    save_every: int = Field(500, gt=0, description="steps between saved training states")
    gradient_checkpointing: bool = False


class InferenceSettings(_Section):
    """Which engine decodes (``solve``) and how ONNX Runtime runs (``infer``, ``solve``)."""

    engine: Literal["torch", "onnx"] = Field(
        "torch", description="onnx: decode each adapted model through ONNX Runtime"
    )
    providers: str = Field(
        "auto", description="auto (CUDA when available, else CPU) or a list: cuda,cpu"
    )
    intra_op_threads: int | None = Field(None, gt=0, le=1024)
    inter_op_threads: int | None = Field(None, gt=0, le=1024)


class Settings(BaseSettings):
    """Effective settings of one process."""

    model_config = SettingsConfigDict(
        env_prefix="ARC_TTT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    seed: int = 0
    sources: tuple[Literal["search", "neural", "file"], ...] = Field(
        ("search", "neural"),
        min_length=1,
        description="candidate sources, in the order they run: search, neural, file",
    )
    candidates: str | None = Field(
        None, min_length=1, description="another solver's candidates file (the file source)"
    )
    cache_store: str | None = Field(
        None,
        min_length=1,
        description="where a solve keeps each task's candidates and adapters so a stopped run "
        "resumes: a folder, file://PATH or s3://BUCKET/PREFIX (the CLI's default: RUN/cache)",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    render: RenderSettings = RenderSettings()
    model: ModelSettings = ModelSettings()
    ttt: TTTSettings = TTTSettings()
    decode: DecodeSettings = DecodeSettings()
    budget: BudgetSettings = BudgetSettings()
    search: SearchSettings = SearchSettings()
    pretrain: PretrainSettings = PretrainSettings()
    inference: InferenceSettings = InferenceSettings()

    @model_validator(mode="after")
    def _sources_are_usable(self) -> Settings:
        if len(set(self.sources)) != len(self.sources):
            raise ValueError(f"sources: each source once, got {','.join(self.sources)}")
        if "file" in self.sources and self.candidates is None:
            raise ValueError("sources: 'file' needs candidates (a candidates file)")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config_file, flags = _layers.get()
        sources = [init_settings]
        if flags:
            sources.append(InitSettingsSource(settings_cls, init_kwargs=dict(flags)))
        sources += [env_settings, dotenv_settings, file_secret_settings]
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


# (config file, flag values) every ``Settings()`` built in this context reads below its arguments.
_layers: ContextVar[tuple[Path | None, Mapping[str, Any]]] = ContextVar(
    "arc_ttt_settings_layers", default=(None, {})
)


@contextlib.contextmanager
def settings_layers(
    *, config_file: Path | None = None, flags: Mapping[str, Any] | None = None
) -> Iterator[None]:
    """Within the block, ``Settings()`` also reads ``config_file`` (TOML, below the environment)
    and ``flags`` (nested like ``Settings``, above the environment). The file must exist and be
    valid: check it first with ``arc_ttt.cli.config``'s loader, pydantic reports no file name."""
    token = _layers.set((config_file, dict(flags or {})))
    try:
        yield
    finally:
        _layers.reset(token)
