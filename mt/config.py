"""``PipelineConfig``: everything that describes a pipeline, validated in one place.

The feed runner, the HTTP service, the Ray actors and the command lines all build pipelines from
this one record: it round-trips through JSON (``to_json`` / ``from_json``), pickles, and its
:meth:`PipelineConfig.translation_key` is what the sentence cache and run signatures hang on.
Command lines declare the shared options once with :func:`add_pipeline_arguments` and read them
back with :func:`config_from_args`.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-ar-en"
BACKENDS = ("auto", "torch", "ct2")
DEVICES = ("auto", "cpu", "cuda")
COMPUTE_TYPES = ("float32", "float16", "bfloat16", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16")
DEFAULT_BATCH_SIZE = 16
DEFAULT_MAX_SENTENCE_TOKENS = 160
# Sane ceilings, checked before any model is loaded. Beam search keeps beam x batch hypotheses in
# memory; OPUS-MT is trained and tuned for beam 4-6, and beyond ~16 quality no longer improves.
MAX_BEAM_SIZE = 32
MAX_BATCH_SIZE = 4096
MAX_BATCH_TOKENS = 1 << 20
MAX_THREADS = 1024
# Until the model is loaded, token limits are checked against the largest position table of any
# MarianMT model; after loading, against the model's own (:meth:`PipelineConfig.check_model`).
MAX_POSITIONS = 4096


class ConfigError(ValueError):
    """An invalid setting; the message names the option (as on the command line) and the value."""


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


@dataclass(frozen=True)
class PipelineConfig:
    """How a pipeline repairs, segments, batches and decodes. ``None`` means: the model's default."""

    model: str = DEFAULT_MODEL
    backend: str = "auto"
    device: str = "auto"
    compute_type: str | None = None
    beam_size: int | None = None
    max_new_tokens: int | None = None
    batch_size: int | None = DEFAULT_BATCH_SIZE
    max_batch_tokens: int | None = None
    max_sentence_tokens: int = DEFAULT_MAX_SENTENCE_TOKENS
    threads: int | None = None  # CPU threads for the backend (ct2: replicas); None: every core
    repair: bool = True
    segment: bool = True

    def __post_init__(self) -> None:
        self.validate()

    # -- validation -------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise :class:`ConfigError` for the first invalid setting (type, choice or bound)."""
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigError("--model must be a hub id or a model directory")
        for name, choices in (("backend", BACKENDS), ("device", DEVICES)):
            value = getattr(self, name)
            if value not in choices:
                raise ConfigError(f"{_option(name)}: unknown value {value!r} (choose {', '.join(choices)})")
        if self.compute_type is not None and self.compute_type not in COMPUTE_TYPES:
            raise ConfigError(
                f"--compute-type: unknown value {self.compute_type!r} (choose {', '.join(COMPUTE_TYPES)})"
            )
        bounds = {
            "beam_size": MAX_BEAM_SIZE,
            "max_new_tokens": MAX_POSITIONS,
            "batch_size": MAX_BATCH_SIZE,
            "max_batch_tokens": MAX_BATCH_TOKENS,
            "max_sentence_tokens": MAX_POSITIONS,
            "threads": MAX_THREADS,
        }
        for name, ceiling in bounds.items():
            value = getattr(self, name)
            if value is None and name != "max_sentence_tokens":
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{_option(name)} must be a whole number, got {value!r}")
            if value < 1:
                raise ConfigError(f"{_option(name)} must be at least 1, got {value}")
            if value > ceiling:
                raise ConfigError(f"{_option(name)} must be at most {ceiling}, got {value}")
        if self.batch_size is None and self.max_batch_tokens is None:
            raise ConfigError("give --batch-size or --max-batch-tokens (or both)")
        for name in ("repair", "segment"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, got {getattr(self, name)!r}")

    def check_model(self, max_positions: int) -> None:
        """Check token limits against the loaded model's position table (source and target alike).

        A source chunk holds at most ``max_positions`` tokens (``</s>`` included); an output at most
        ``max_positions - 1`` new tokens (the decoder start token takes one position).
        """
        if self.max_new_tokens is not None and self.max_new_tokens > max_positions - 1:
            raise ConfigError(
                f"--max-new-tokens must be at most {max_positions - 1} for this model "
                f"({max_positions} positions), got {self.max_new_tokens}"
            )
        if self.max_sentence_tokens > max_positions:
            raise ConfigError(
                f"--max-sentence-tokens must be at most {max_positions} for this model "
                f"({max_positions} positions), got {self.max_sentence_tokens}"
            )

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PipelineConfig":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown pipeline setting(s): {', '.join(unknown)}")
        return cls(**dict(data))

    @classmethod
    def from_json(cls, text: str) -> "PipelineConfig":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"pipeline settings are not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError("pipeline settings must be a JSON object")
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> "PipelineConfig":
        return replace(self, **changes)

    @property
    def preprocessing(self) -> str:
        """The preprocessing part of a signature (what repair and segmentation are on)."""
        return f"repair:{'on' if self.repair else 'off'}|segment:{'on' if self.segment else 'off'}"


# -- command-line options, declared once -------------------------------------------------------
def _whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None


def add_pipeline_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, model_required: bool = False) -> None:
    """The model, decoding and batching options every command shares (bounds checked by the config)."""
    if model_required:
        parser.add_argument("--model", required=True, help="hub id or local MarianMT directory")
    else:
        parser.add_argument("--model", default=DEFAULT_MODEL,
                            help=f"hub id or local MarianMT directory (default {DEFAULT_MODEL})")
    parser.add_argument("--backend", default="auto", choices=BACKENDS, help="inference engine (auto: ct2 if installed)")
    parser.add_argument("--device", default="auto", choices=DEVICES)
    parser.add_argument("--compute-type", choices=COMPUTE_TYPES,
                        help="float32, int8 (CPU), float16/bfloat16 (CUDA); default per backend and device")
    parser.add_argument("--beam-size", type=_whole_number, help=f"beam size, 1-{MAX_BEAM_SIZE} (default: the model's)")
    parser.add_argument("--batch-size", type=_whole_number,
                        help=f"sentences per batch (default {DEFAULT_BATCH_SIZE}, or none with --max-batch-tokens)")
    parser.add_argument("--max-batch-tokens", type=_whole_number,
                        help="padded source tokens per batch (alone: the only batch limit)")
    parser.add_argument("--max-new-tokens", type=_whole_number,
                        help="cap on output tokens per sentence (at most the model's positions - 1)")
    parser.add_argument("--max-sentence-tokens", type=_whole_number, default=DEFAULT_MAX_SENTENCE_TOKENS,
                        help=f"longer sentences are chunked (default {DEFAULT_MAX_SENTENCE_TOKENS})")
    parser.add_argument("--threads", type=_whole_number, help="CPU threads for the model (default: every core)")


def config_from_args(args: argparse.Namespace) -> PipelineConfig:
    """The :class:`PipelineConfig` the options of :func:`add_pipeline_arguments` describe."""
    return PipelineConfig(
        model=args.model,
        backend=args.backend,
        device=args.device,
        compute_type=args.compute_type,
        beam_size=args.beam_size,
        max_new_tokens=args.max_new_tokens,
        batch_size=args.batch_size if args.batch_size is not None or args.max_batch_tokens else DEFAULT_BATCH_SIZE,
        max_batch_tokens=args.max_batch_tokens,
        max_sentence_tokens=args.max_sentence_tokens,
        threads=args.threads,
    )
