"""The torch model adapter: the built-in grid decoder, any Hugging Face causal LM, LoRA, training
and decoding behind the ``Trainer``, ``Generator`` and ``Scorer`` ports.

Import ``arc_ttt.adapters.torch.backend`` for ``TorchModelBackend``; this package itself imports
nothing heavy, so naming it stays cheap.
"""
