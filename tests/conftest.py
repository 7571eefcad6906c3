"""Shared test set-up: deterministic hypothesis runs (a flaky test is a bug, not bad luck)."""

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
