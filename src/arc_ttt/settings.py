"""One settings model for the whole library; the only code that reads the environment.

Values come from (highest first): arguments, ``ARC_TTT_*`` environment variables (nested sections
with ``__``, e.g. ``ARC_TTT_RENDER__CELL_SIZE=24``), then defaults.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RenderSettings(BaseModel):
    """How pictures of grids are drawn."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cell_size: int = Field(16, gt=0, le=100, description="pixels per cell side")
    line: int = Field(1, ge=0, le=10, description="pixels of grid line between cells")


class Settings(BaseSettings):
    """Effective settings of one process."""

    model_config = SettingsConfigDict(
        env_prefix="ARC_TTT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    render: RenderSettings = RenderSettings()
