"""Shared test set-up: deterministic hypothesis runs (a flaky test is a bug, not bad luck), and
torch threads that neither leak from one test to the next nor oversubscribe the cores when the
suite runs in parallel (``-n auto``, pytest-xdist)."""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("ci")


def pytest_configure(config):
    """Under pytest-xdist, each worker (and the CLI subprocesses it starts) gets an equal share of
    the cores as its torch/OpenMP threads, unless OMP_NUM_THREADS is already set."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0") or 0)
    if workers > 1:
        share = str(max(1, (os.cpu_count() or 1) // workers))
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, share)


@pytest.fixture(autouse=True)
def _torch_threads():
    """A test may set torch's thread count for itself; the next test starts from the default."""
    import torch

    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def recolor_module():
    """A tiny built-in decoder trained on the recolor rule (shared by the ONNX tests)."""
    from onnx_models import recolor_decoder

    return recolor_decoder()


@pytest.fixture(scope="session")
def recolor_onnx(recolor_module, tmp_path_factory):
    """``recolor_module`` exported to ONNX (fp32), once per session."""
    from onnx_models import export_to

    return export_to(recolor_module, tmp_path_factory.mktemp("onnx"))
