"""Named LoRA adapters on one base module through peft, each initialised fresh and seeded.

The base weights are never trained: an adapter added after others starts exactly as it would
alone (same seed, same initial A and B), so adapting to A then B equals adapting to B alone.
The last adapter's release unloads peft entirely, leaving the plain base module.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Sequence
from pathlib import Path

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from peft.tuners.lora import LoraLayer
from peft.tuners.tuners_utils import BaseTunerLayer
from torch import nn

from arc_ttt.domain.errors import ModelConfigError
from arc_ttt.domain.model_io import TrainOptions

ARC_DECODER_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
# For Hugging Face models: every linear layer but the output head, whatever the family names them.
HF_TARGETS = "all-linear"
LORA_CONFIG = "adapter_config.json"
LORA_WEIGHTS = "adapter_model.safetensors"


class LoraAdapters:
    """LoRA adapters (by slot name) on ``module``, which peft modifies in place."""

    def __init__(self, module: nn.Module, default_targets: Sequence[str] | str) -> None:
        self._module = module
        self._default = (
            default_targets if isinstance(default_targets, str) else list(default_targets)
        )
        self._peft: PeftModel | None = None

    def add(self, slot: str, options: TrainOptions) -> list[nn.Parameter]:
        """Add a fresh adapter seeded by ``options.seed``, make it active; return its parameters."""
        try:
            config = LoraConfig(
                r=options.lora_rank,
                lora_alpha=options.lora_alpha,
                lora_dropout=options.lora_dropout,
                target_modules=list(options.lora_targets) or self._default,
                bias="none",
            )
            # peft draws lora_A from the global generator; the caller forked it.
            torch.manual_seed(options.seed)
            if self._peft is None:
                self._peft = get_peft_model(self._module, config, adapter_name=slot)
            else:
                self._peft.add_adapter(slot, config)
        except ValueError as e:
            raise ModelConfigError(
                f"LoRA rank={options.lora_rank} alpha={options.lora_alpha} "
                f"dropout={options.lora_dropout} targets={options.lora_targets or self._default}: {e}"
            ) from e
        self.activate(slot)
        mine: list[nn.Parameter] = []
        for name, p in self._module.named_parameters():
            # Only this slot's tensors learn; the base and other adapters stay frozen.
            trainable = "lora_" in name and f".{slot}." in name
            p.requires_grad_(trainable)
            if trainable:
                mine.append(p)
        return mine

    def activate(self, slot: str | None) -> None:
        """Route the module through adapter ``slot``, or through the bare base for None."""
        if self._peft is None:
            if slot is not None:
                raise KeyError(slot)
            return
        tuner = self._peft.base_model
        if slot is None:
            tuner.disable_adapter_layers()
        else:
            tuner.enable_adapter_layers()
            tuner.set_adapter(slot)

    def delete(self, slot: str) -> None:
        """Free adapter ``slot``; without adapters left, peft's layers leave the module."""
        if self._peft is None or slot not in self._peft.peft_config:
            return
        if len(self._peft.peft_config) > 1:
            self._peft.delete_adapter(slot)
        else:
            self._peft.base_model.unload()
            self._peft = None

    def export(self, slot: str) -> dict[str, bytes]:
        """Adapter ``slot`` in peft's own format: ``adapter_config.json`` and
        ``adapter_model.safetensors``, which ``PeftModel.from_pretrained`` loads onto the base."""
        if self._peft is None or slot not in self._peft.peft_config:
            raise KeyError(slot)
        with tempfile.TemporaryDirectory() as tmp:
            self._peft.save_pretrained(tmp, selected_adapters=[slot])
            # peft writes a non-default adapter into a sub-folder named after it.
            folder = Path(tmp) / slot
            return {name: (folder / name).read_bytes() for name in (LORA_CONFIG, LORA_WEIGHTS)}

    def load(self, slot: str, folder: Path, device: torch.device) -> None:
        """Add the adapter ``export`` wrote into ``folder`` as ``slot``, frozen, and make it
        active. Raises peft's errors (``ValueError``, ``KeyError``, ``RuntimeError``)."""
        if self._peft is None:
            # Injects the LoRA layers into the module in place, as get_peft_model does.
            self._peft = PeftModel.from_pretrained(
                self._module, str(folder), adapter_name=slot, torch_device=str(device)
            )
        else:
            self._peft.load_adapter(str(folder), adapter_name=slot, torch_device=str(device))
        self.activate(slot)
        for name, p in self._module.named_parameters():
            if "lora_" in name and f".{slot}." in name:
                p.requires_grad_(False)

    def base_copy(self) -> nn.Module:
        """A trainable deep copy of the base module without any LoRA layer (for full training)."""
        clone = copy.deepcopy(self._module)
        for name, sub in list(clone.named_modules()):
            if isinstance(sub, BaseTunerLayer):
                parent, _, child = name.rpartition(".")
                setattr(clone.get_submodule(parent), child, sub.get_base_layer())
        for p in clone.parameters():
            p.requires_grad_(True)
        return clone

    def merged_copy(self, slot: str) -> nn.Module:
        """A plain copy of the base with adapter ``slot``'s low-rank update added to its weights."""
        clone = self.base_copy()
        with torch.no_grad():
            for name, sub in self._module.named_modules():
                if isinstance(sub, LoraLayer) and slot in sub.lora_A:
                    target = clone.get_submodule(name)
                    target.weight += sub.get_delta_weight(slot).to(target.weight.dtype)
        return clone
