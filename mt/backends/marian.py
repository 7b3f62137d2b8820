"""What both engines share about a MarianMT model directory: its tokenizer and generation defaults.

Both backends tokenise the source with the model's own ``MarianTokenizer`` (``</s>`` appended) and
decode outputs with ``batch_decode(..., skip_special_tokens=True)``, so they share one input and
one output contract.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from mt.backends.base import ModelLoadError


@dataclass
class MarianTokens:
    """The model's tokenizer: text -> source ids, ids <-> token strings, output ids -> text."""

    tokenizer: Any  # transformers.MarianTokenizer

    @classmethod
    def load(cls, directory: Path | str, model: str, *, local_files_only: bool = True) -> "MarianTokens":
        from transformers import MarianTokenizer

        silence_length_warning()
        try:
            tok = MarianTokenizer.from_pretrained(str(directory), local_files_only=local_files_only)
        except Exception as exc:  # sentencepiece, json and transformers raise many kinds for a bad file
            raise ModelLoadError(
                f"cannot load the tokenizer of model '{model}' (source.spm, target.spm or vocab.json "
                f"is missing or corrupt): {_first_line(exc)}"
            ) from None
        return cls(tok)

    @property
    def vocab(self) -> dict[str, int]:
        # MarianTokenizer's own token -> id dict (no 60k-entry copy via get_vocab())
        return getattr(self.tokenizer, "encoder", None) or self.tokenizer.get_vocab()

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        return list(self.tokenizer(list(texts)).input_ids) if texts else []

    def ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        return self.tokenizer.convert_ids_to_tokens(list(ids))

    def tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
        vocab, unk = self.vocab, self.tokenizer.unk_token_id
        return [vocab.get(t, unk) for t in tokens]

    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        return self.tokenizer.batch_decode([list(r) for r in ids], skip_special_tokens=True) if ids else []

    def encode_target(self, texts: Sequence[str]) -> list[list[int]]:
        """Target-side ids (``</s>`` included), e.g. to count output tokens the same way for every engine."""
        return list(self.tokenizer(text_target=list(texts)).input_ids) if texts else []


class MarianEngine:
    """What both backends expose about their tokenizer (``self.tokens`` is set by the backend)."""

    tokens: MarianTokens

    @property
    def tokenizer(self):  # noqa: ANN201 - the model's MarianTokenizer
        return self.tokens.tokenizer

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Source token ids, ``</s>`` included: the only tokenisation of the source."""
        return self.tokens.encode(texts)


class _DropLengthWarning(logging.Filter):
    """transformers warns when a text has more tokens than the model's positions; the pipeline
    chunks such sentences before the model sees them, so the warning would only mislead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Token indices sequence length is longer than" not in record.getMessage()


_LENGTH_FILTER = _DropLengthWarning()


def silence_length_warning() -> None:
    """Drop transformers' "Token indices sequence length is longer than the specified maximum"
    warning (only that one; idempotent)."""
    logger = logging.getLogger("transformers.tokenization_utils_base")
    if _LENGTH_FILTER not in logger.filters:
        logger.addFilter(_LENGTH_FILTER)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def generation_defaults(model_dir: Path) -> dict[str, Any]:
    """num_beams, max_length, forced_eos_token_id (generation config wins) and max_position_embeddings."""
    values: dict[str, Any] = {}
    for name in ("config.json", "generation_config.json"):
        path = model_dir / name
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for key in ("num_beams", "max_length", "forced_eos_token_id", "max_position_embeddings"):
                if key in data:
                    values[key] = data[key]
    return values
