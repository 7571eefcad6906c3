"""The only place that knows which adapter serves which port.

Tests override providers: ``with container.model.override(ScriptedModel(...)): ...``.
Heavy adapters (torch) are imported inside the factory that selects them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from dependency_injector import containers, providers

from arc_ttt.adapters import factories
from arc_ttt.adapters.catalog import DatasetCatalog
from arc_ttt.adapters.memory_probe import ProcessMemoryProbe
from arc_ttt.adapters.png import PillowPng
from arc_ttt.adapters.processes import SingleProcess
from arc_ttt.adapters.progress import LineProgress, RichProgress
from arc_ttt.adapters.provenance import provenance
from arc_ttt.adapters.resource_monitor import BackgroundSampler, SystemMonitor
from arc_ttt.adapters.run_folder import RunFolder
from arc_ttt.adapters.run_reader import read_run
from arc_ttt.adapters.stop_signal import StopOnSignal
from arc_ttt.adapters.store_url import open_store
from arc_ttt.adapters.terminal import task_text
from arc_ttt.adapters.training_log import FolderTrainingLog
from arc_ttt.application.datasets import list_datasets
from arc_ttt.application.ensemble import Ensemble, EnsembleOptions
from arc_ttt.application.pretrain_data import DataPlan
from arc_ttt.application.score import score_file
from arc_ttt.application.show import find_task, render_task
from arc_ttt.application.solve import Budget, SolveOptions, Solver
from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
from arc_ttt.domain.pretrain_corpus import CorpusOptions
from arc_ttt.domain.pretraining import PretrainOptions
from arc_ttt.domain.ttt_dataset import TTTSetOptions
from arc_ttt.settings import Settings

log = logging.getLogger(__name__)


def model_backend(settings: Settings) -> Any:
    """The torch backend for ``settings.model.path``.

    ``default``: the embedded model (an untrained built-in one, with a warning, when this build
    ships none); ``builtin``: a fresh built-in decoder of the configured size; else a folder.
    """
    import torch  # noqa: PLC0415 - torch is heavy: only when a model is asked for

    from arc_ttt.adapters.embedded_model import embedded_model_folder  # noqa: PLC0415
    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig  # noqa: PLC0415
    from arc_ttt.adapters.torch.backend import TorchModelBackend  # noqa: PLC0415

    m = settings.model
    if m.threads:
        torch.set_num_threads(m.threads)
    if not torch.cuda.is_available():
        log.warning("no CUDA GPU found: training and decoding run on the CPU")
    gpu_cap = settings.budget.gpu_memory_gb
    if gpu_cap is not None and torch.cuda.is_available():
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, gpu_cap * 2**30 / total))
    precision = {"auto": None, "fp32": "no", "bf16": "bf16"}[m.precision]
    if m.path == "default":
        folder = embedded_model_folder()
        if folder is not None:
            return TorchModelBackend.from_pretrained(folder, mixed_precision=precision)
        log.warning("no pretrained default model is embedded in this build; using an untrained one")
    if m.path in ("default", "builtin"):
        config = ArcDecoderConfig(d_model=m.d_model, n_layers=m.layers, n_heads=m.heads)
        return TorchModelBackend.builtin(config, seed=settings.seed, mixed_precision=precision)
    folder = Path(m.path).expanduser().resolve()
    prompt_format = factories.folder_prompt_format(folder, m.format)
    if prompt_format not in (None, "arc_ttt"):
        return factories.formatted_model(folder, prompt_format)
    return TorchModelBackend.from_pretrained(folder, mixed_precision=precision)


def decoding_backend(settings: Settings) -> Any:
    """The model backend, with decoding through ONNX Runtime when ``inference.engine`` says so."""
    backend = model_backend(settings)
    i = settings.inference
    if i.engine == "torch":
        return backend
    from arc_ttt.adapters.onnx.generator import OnnxDecodingBackend  # noqa: PLC0415
    from arc_ttt.adapters.onnx.session import SessionOptions  # noqa: PLC0415

    options = SessionOptions(i.providers, i.intra_op_threads, i.inter_op_threads)
    return OnnxDecodingBackend(backend, options)


def train_method(settings: Settings) -> Literal["lora", "full"]:
    """``auto``: the small built-in model trains in full (LoRA on an untrained base barely
    learns, see docs/solve.md); a model folder, possibly a large one, gets LoRA."""
    if settings.ttt.method != "auto":
        return settings.ttt.method
    return "full" if settings.model.path in ("default", "builtin") else "lora"


def solve_options(settings: Settings) -> SolveOptions:
    """Translate validated settings into the use case's options."""
    t, d, b = settings.ttt, settings.decode, settings.budget
    return SolveOptions(
        ttt=t.mode,
        train=TrainOptions(
            steps=t.steps,
            batch_size=t.batch_size,
            grad_accumulation=t.grad_accumulation,
            learning_rate=t.learning_rate,
            warmup_steps=t.warmup_steps,
            weight_decay=t.weight_decay,
            max_seconds=t.max_seconds_per_task,
            early_stop_loss=t.early_stop_loss,
            seed=settings.seed,
            method=train_method(settings),
            lora_rank=t.lora_rank,
            lora_alpha=t.lora_alpha,
            lora_dropout=t.lora_dropout,
            gradient_checkpointing=t.gradient_checkpointing,
        ),
        ttt_set=TTTSetOptions(
            per_subtask=t.copies_per_demo, loss_on=t.loss_on, max_tokens=t.max_tokens
        ),
        decode=DecodeOptions(
            strategy=d.strategy,
            min_prob=d.min_prob,
            max_candidates=d.max_candidates,
            max_expansions=d.max_expansions,
            batch_size=d.batch_size,
            constrained=d.constrained,
        ),
        views=d.views,
        product_of_experts=d.product_of_experts,
        seed=settings.seed,
        budget=Budget(
            total_seconds=b.total_seconds,
            task_seconds=b.task_seconds,
            train_share=b.train_share,
            host_memory_bytes=None if b.host_memory_gb is None else int(b.host_memory_gb * 2**30),
            oom_retries=b.oom_retries,
        ),
    )


def process_group(model: Any) -> Any:
    """The processes of this run: those the model adapter's accelerate set up (``accelerate
    launch``), or one for an adapter without any (a fake)."""
    processes = getattr(model, "processes", None)
    return processes() if callable(processes) else SingleProcess()


def run_processes(settings: Settings, model: Callable[[], Any]) -> Any:
    """The model's processes when the neural source runs; else one (no model is loaded)."""
    return process_group(model()) if "neural" in settings.sources else SingleProcess()


def search_source(settings: Settings, cache: Any) -> Any:
    """The program search as a candidate source, from ``settings.search``."""
    from arc_ttt.adapters.search_source import SearchCandidateSource  # noqa: PLC0415
    from arc_ttt.domain.search import SearchOptions  # noqa: PLC0415

    s = settings.search
    options = SearchOptions(
        max_depth=s.max_depth, seconds=s.seconds, memory_bytes=int(s.memory_gb * 2**30)
    )
    return SearchCandidateSource(options, workers=s.workers, cache=cache)


def file_source(settings: Settings) -> Any:
    """Another solver's candidates file (``settings.candidates``)."""
    from arc_ttt.adapters.file_candidates import FileCandidateSource  # noqa: PLC0415

    if settings.candidates is None:
        raise ValueError("the file source needs settings.candidates (a candidates file)")
    return FileCandidateSource(Path(settings.candidates).expanduser())


def candidate_sources(settings: Settings, **builders: Callable[[], Any]) -> list[Any]:
    """The sources ``settings.sources`` names, in its order; only those are built."""
    return [builders[name]() for name in settings.sources]


def ensemble_options(settings: Settings) -> EnsembleOptions:
    skip = frozenset({"neural"}) if settings.search.skip_neural_when_exact else frozenset()
    return EnsembleOptions(skip_when_exact=skip)


def torch_pretrainer(settings: Settings) -> Any:
    """A fresh built-in decoder of ``settings.model``'s size (initial weights from the seed),
    ready to pretrain on the GPU when there is one."""
    import torch  # noqa: PLC0415 - torch is heavy: only when a model is asked for

    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig  # noqa: PLC0415
    from arc_ttt.adapters.torch.pretraining import TorchPretrainer  # noqa: PLC0415

    m = settings.model
    if m.threads:
        torch.set_num_threads(m.threads)
    if not torch.cuda.is_available():
        log.warning("no CUDA GPU found: pretraining runs on the CPU")
    precision = {"auto": None, "fp32": "no", "bf16": "bf16"}[m.precision]
    config = ArcDecoderConfig(d_model=m.d_model, n_layers=m.layers, n_heads=m.heads)
    return TorchPretrainer(config, seed=settings.seed, mixed_precision=precision)


def pretrain_plan(settings: Settings) -> DataPlan:
    """Which tasks ``settings.pretrain`` asks for."""
    p = settings.pretrain
    return DataPlan(
        sources=tuple(p.data),
        synthetic_tasks=p.synthetic_tasks,
        val_fraction=p.val_fraction,
        seed=settings.seed,
    )


def pretrain_options(settings: Settings) -> tuple[PretrainOptions, CorpusOptions]:
    """Translate ``settings.pretrain`` into the pretraining run's options."""
    p = settings.pretrain
    train = TrainOptions(
        steps=p.steps,
        batch_size=p.batch_size,
        grad_accumulation=p.grad_accumulation,
        learning_rate=p.learning_rate,
        warmup_steps=p.warmup_steps,
        weight_decay=p.weight_decay,
        max_seconds=None if p.minutes is None else p.minutes * 60,
        patience=p.patience or None,
        seed=settings.seed,
        method="full",
        gradient_checkpointing=p.gradient_checkpointing,
    )
    options = PretrainOptions(
        train=train, eval_every=p.eval_every, log_every=p.log_every, min_delta=p.min_delta
    )
    return options, CorpusOptions(max_tokens=p.max_tokens)


def solve_cache_at(settings: Settings) -> Any:
    """The solve cache in the store ``settings.cache_store`` names (none when it names none).
    Raises ``InvalidStoreUrlError`` for a URL that names no store."""
    if settings.cache_store is None:
        return None
    from arc_ttt.adapters.store_solve_cache import StoreSolveCache  # noqa: PLC0415 - boto3

    return StoreSolveCache(open_store(settings.cache_store))


def progress_display(*, quiet: bool, interactive: bool) -> Any:
    """What a command shows its progress with: a live rich display on a terminal, else one
    line per item (none but the result with ``quiet``)."""
    return RichProgress() if interactive and not quiet else LineProgress(quiet=quiet)


def _neural_source(solver: Callable[[], Any], options: SolveOptions) -> Any:
    from arc_ttt.application.neural_source import NeuralCandidateSource  # noqa: PLC0415

    return NeuralCandidateSource(solver, options)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    catalog = providers.Singleton(DatasetCatalog)
    memory = providers.Singleton(ProcessMemoryProbe)
    progress = providers.Singleton(LineProgress)
    progress_display = providers.Callable(progress_display)
    system_monitor = providers.Singleton(SystemMonitor)
    # Peak memory sampled every 0.25 s while a solve runs (a context manager).
    resource_sampler = providers.Factory(BackgroundSampler, monitor=system_monitor, interval=0.25)
    run_folder = providers.Factory(RunFolder)  # called with the folder's path
    read_run = providers.Callable(read_run)  # a run folder's records, parsed back
    open_store = providers.Callable(open_store)  # a checkpoint store from its URL
    task_text = providers.Callable(task_text)  # a task as (colored) terminal text
    training_log = providers.Factory(FolderTrainingLog)  # called with the model folder
    embedded_model_folder = providers.Callable(
        factories.embedded_model_folder
    )  # None when not shipped
    machine = providers.Callable(factories.machine)  # CPU and GPU names, for a run's record
    gpu_count = providers.Callable(factories.gpu_count)
    untrained_decoder = providers.Callable(factories.untrained_decoder, settings=settings)
    load_for_export = providers.Callable(
        factories.load_for_export
    )  # (folder, adapter) -> torch module
    onnx_engine = providers.Callable(factories.onnx_engine)
    check_providers = providers.Callable(factories.check_providers)
    torch_engine = providers.Callable(factories.torch_engine)
    saved_decoder = providers.Callable(factories.saved_decoder)
    opsets = providers.Callable(factories.opsets)
    export_decoder = providers.Callable(factories.export_decoder)
    validate_export = providers.Callable(factories.validate_export)
    optimize_model = providers.Callable(factories.optimize_model)
    validate_optimized = providers.Callable(factories.validate_optimized)
    provenance = providers.Callable(provenance)  # where the code came from (git, versions)
    model = providers.Singleton(decoding_backend, settings=settings)

    datasets = providers.Callable(list_datasets, catalog=catalog)
    find_task = providers.Callable(find_task, catalog=catalog)
    png = providers.Singleton(PillowPng)
    render_task = providers.Callable(render_task, png=png)
    score = providers.Callable(score_file, catalog=catalog)
    # A run's peak memory: the sampler a command runs around its solve (``with peaks():``).
    peaks = providers.Singleton(BackgroundSampler, monitor=system_monitor, interval=0.25)
    # True once SIGINT/SIGTERM came while ``stop_requested().installed()``; never true otherwise.
    stop_requested = providers.Singleton(StopOnSignal)
    solve_cache = providers.Singleton(solve_cache_at, settings=settings)
    solver = providers.Factory(
        Solver,
        trainer=model,
        generator=model,
        scorer=model,
        progress=progress,
        memory=memory,
        cache=solve_cache,
        exporter=model,
        stop_requested=stop_requested,
        peaks=peaks,
        importer=model,
    )
    solve_options = providers.Callable(solve_options, settings=settings)
    # The neural source's solver: built on first use (a run the search solves loads no model);
    # the ensemble, not this solver, reports progress.
    neural_solver = providers.Factory(
        Solver,
        trainer=model,
        generator=model,
        scorer=model,
        progress=providers.Factory(LineProgress, quiet=True),
        memory=memory,
        cache=solve_cache,
        exporter=model,
        stop_requested=stop_requested,
        peaks=None,  # the ensemble reads the run's peaks; a second reader would split them
        importer=model,
    )
    search_source = providers.Singleton(search_source, settings=settings, cache=solve_cache)
    neural_source = providers.Singleton(
        _neural_source,
        solver=neural_solver.provider,
        options=solve_options,
    )
    file_source = providers.Singleton(file_source, settings=settings)
    candidate_sources = providers.Callable(
        candidate_sources,
        settings=settings,
        search=search_source.provider,
        neural=neural_source.provider,
        file=file_source.provider,
    )
    ensemble = providers.Factory(
        Ensemble,
        sources=candidate_sources,
        progress=progress,
        memory=memory,
        options=providers.Callable(ensemble_options, settings=settings),
        stop_requested=stop_requested,
        peaks=peaks,
    )
    processes = providers.Singleton(run_processes, settings=settings, model=model.provider)
    pretrainer = providers.Singleton(torch_pretrainer, settings=settings)
    pretrain_observer = providers.Object(None)  # a (PretrainProgress) -> None, for embedders


def use_settings(container: Container, settings: Settings) -> Container:
    """Give ``container`` (a process's one container) the settings a command derived from its
    flags; call it before anything that depends on the settings is built."""
    container.settings.override(providers.Object(settings))
    return container


def build_container(settings: Settings | None = None) -> Container:
    """A container for ``settings`` (read from the environment when omitted)."""
    container = Container()
    return container if settings is None else use_settings(container, settings)
