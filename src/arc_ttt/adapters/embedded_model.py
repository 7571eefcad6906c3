"""The default model that ships inside the package (``arc_ttt/models/default``), if any."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_MODEL_DIR = "default"


def embedded_model_folder() -> Path | None:
    """The folder of the embedded default model, or None when this build ships none."""
    folder = Path(str(resources.files("arc_ttt") / "models" / DEFAULT_MODEL_DIR))
    return folder if (folder / "config.json").is_file() else None
