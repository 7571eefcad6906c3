"""Tiny real models for the torch tests, built offline: the built-in decoder's smallest useful
shape, a Llama-style Hugging Face model with a character tokenizer, and training data of one
fixed rule (single input -> output pairs, loss on the answer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from arc_ttt.domain.codec import SYMBOL_TEXT, encode_prompt, encode_target
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import ModelRef, TrainingSequence, TrainOptions

EXTRA_TOKENS = ("[UNK]", "a", "b", "c")  # a vocabulary a little larger than the 16 symbols


def pair_sequence(grid_in: Grid, grid_out: Grid) -> TrainingSequence:
    """encode_prompt((), input) + encode_target(output, 1), with the loss on the target."""
    prompt, target = encode_prompt((), grid_in), encode_target(grid_out, 1)
    return TrainingSequence(prompt + target, (False,) * len(prompt) + (True,) * len(target))


def random_grid(rng: np.random.Generator, min_side: int, max_side: int) -> np.ndarray:
    h, w = rng.integers(min_side, max_side + 1, size=2)
    return rng.integers(0, 10, size=(h, w))


def recolor_pairs(
    n: int, seed: int, min_side: int = 1, max_side: int = 3
) -> list[tuple[Grid, Grid]]:
    """``n`` pairs of the rule "color c becomes (c + 1) mod 10"."""
    rng = np.random.default_rng(seed)
    grids = [random_grid(rng, min_side, max_side) for _ in range(n)]
    return [(Grid(g.tolist()), Grid(((g + 1) % 10).tolist())) for g in grids]


def recolor_sequences(n: int, seed: int) -> list[TrainingSequence]:
    return [pair_sequence(i, o) for i, o in recolor_pairs(n, seed)]


def save_symbol_tokenizer(folder: Path, missing: str | None = None) -> None:
    """A character-level tokenizer whose vocabulary holds every codec symbol (but ``missing``)."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab_list = [*EXTRA_TOKENS, *(t for t in SYMBOL_TEXT if t != missing)]
    tok = Tokenizer(models.WordLevel({t: i for i, t in enumerate(vocab_list)}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("[\\s\\S]"), behavior="isolated")
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]").save_pretrained(folder)


def save_tiny_llama(folder: Path, seed: int = 0) -> Path:
    """A 2-layer Llama (hidden 32) and its tokenizer in ``folder``, as a local model folder."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=len(EXTRA_TOKENS) + len(SYMBOL_TEXT),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(folder)
    save_symbol_tokenizer(folder)
    return folder


# Enough for peaked answers (a few seconds): the DFS then has real branches to compare.
RECOLOR_TRAINING = TrainOptions(
    steps=250, batch_size=32, learning_rate=3e-3, warmup_steps=10, method="full"
)


def trained_on_recolor(backend) -> ModelRef:
    """The backend's base trained in full on the recolor rule; returns the trained model."""
    return backend.adapt(
        backend.base(), "recolor", recolor_sequences(4000, 0), RECOLOR_TRAINING
    ).model


LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] "
    "| trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content "
    "%}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
QWEN_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)
# family -> (transformers config and model class names, the format it speaks, its tokenizer)
FORMAT_FAMILIES = {
    "marc": ("LlamaConfig", "LlamaForCausalLM"),
    "architects": ("MistralConfig", "MistralForCausalLM"),
    "nvarc": ("Qwen2Config", "Qwen2ForCausalLM"),
}


def _format_tokenizer(name: str, merge: str | None = None):
    """A tokenizer built offline with the vocabulary and chat template of format ``name``'s
    published checkpoints: character-level (or, for nvarc, its 16 tokens); ``merge`` adds one
    multi-character token, as a tokenizer that merges cells would have."""
    import string

    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    if name == "nvarc":
        return _nvarc_tokenizer()
    elif name == "marc":
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>"]
        specials += ["<|end_header_id|>", "<|eot_id|>", "[UNK]"]
        words = list(dict.fromkeys(string.printable))
        pattern = "[\\s\\S]"
        kwargs = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
        kwargs |= {"pad_token": "<|end_of_text|>", "chat_template": LLAMA3_TEMPLATE}
    else:  # architects: single characters only (the cut tokenizer), Mistral's specials
        specials = ["<unk>", "<s>", "</s>", "<pad>"]
        words = [*string.ascii_letters, *string.digits, *"!?.:,;*+/-=", "\n"]
        pattern = "[\\s\\S]"
        kwargs = {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"}
    if merge is not None:
        words.append(merge)
        pattern = f"{merge}|{pattern}"
    vocab = {t: i for i, t in enumerate([*specials, *words])}
    unk = "[UNK]" if "[UNK]" in vocab else specials[0]
    tok = Tokenizer(models.WordLevel(vocab, unk_token=unk))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(pattern), behavior="isolated")
    tok.decoder = decoders.Fuse()  # characters back together, no spaces between
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token=unk, **kwargs)


def _nvarc_tokenizer():
    """NVARC's 16 tokens: digits and the newline as a byte-level BPE (Qwen's, newline as
    ``\u010a``), ``user`` and ``assistant`` as added words, Qwen's three special tokens."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate([*"0123456789", "\u010a"])}
    tok = Tokenizer(models.BPE(vocab, merges=[]))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_tokens([AddedToken(w, normalized=False) for w in ("user", "assistant")])
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        chat_template=QWEN_TEMPLATE,
    )


def save_format_model(folder: Path, name: str, *, seed: int = 0, merge: str | None = None) -> Path:
    """A randomly initialised 2-layer model (width 32) of the family that format ``name``'s
    checkpoints use, with that format's tokenizer, as a local model folder."""
    import torch
    import transformers

    config_name, model_name = FORMAT_FAMILIES[name]
    tokenizer = _format_tokenizer(name, merge)
    config = getattr(transformers, config_name)(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    getattr(transformers, model_name)(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
