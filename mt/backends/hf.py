"""The transformers (PyTorch) backend for MarianMT models."""

from __future__ import annotations

import platform
from typing import Any, Iterable, Iterator, Sequence

from mt.backends.base import DecodeOptions, ModelLoadError
from mt.backends.loading import directory_hash, resolve_model

COMPUTE_TYPES = {"cpu": ("float32", "int8"), "cuda": ("float32", "float16", "bfloat16")}


def resolve_device(device: str) -> str:
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device not in ("cpu", "cuda"):
        raise ValueError(f"unknown device '{device}' (choose auto, cpu or cuda)")
    if device == "cuda" and not torch.cuda.is_available():
        raise ModelLoadError("device 'cuda' was asked for, but torch sees no CUDA GPU; use --device cpu or auto.")
    return device


class HFBackend:
    """A MarianMT model and its tokenizer, loaded once; translates batches under inference mode."""

    name = "torch"

    def __init__(self, model: str, device: str = "auto", compute_type: str | None = None):
        import torch
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()  # no weight-loading bars or warnings on a user's terminal
        hf_logging.disable_progress_bar()
        self.model_id = model
        self.device = resolve_device(device)
        self.compute_type = compute_type or ("float16" if self.device == "cuda" else "float32")
        if self.compute_type not in COMPUTE_TYPES[self.device]:
            raise ValueError(
                f"compute type '{self.compute_type}' is not available on {self.device} for the torch "
                f"backend (choose {', '.join(COMPUTE_TYPES[self.device])})"
            )
        self.source = resolve_model(model)
        try:
            kwargs = {"local_files_only": self.source.local_files_only}
            self.tokenizer = MarianTokenizer.from_pretrained(self.source.load_target, **kwargs)
            net = MarianMTModel.from_pretrained(self.source.load_target, **kwargs)
        except ModelLoadError:
            raise
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load model '{model}': {exc}") from exc
        net.eval()
        if self.compute_type == "int8":
            net = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
        elif self.compute_type in ("float16", "bfloat16"):
            net = net.to(getattr(torch, self.compute_type))
        self.model = net.to(self.device)
        self.generation_config = net.generation_config
        self._revision = getattr(net.config, "_commit_hash", None)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in self.tokenizer(list(texts)).input_ids]

    def translate_batch(
        self,
        texts: Sequence[str],
        options: DecodeOptions,
        target_lengths: Sequence[int] | None = None,
    ) -> list[str]:
        import torch

        if not texts:
            return []
        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True).to(self.device)
        kwargs: dict[str, Any] = {}
        if options.beam_size is not None:
            kwargs["num_beams"] = options.beam_size
        if options.max_new_tokens is not None:
            kwargs["max_new_tokens"] = options.max_new_tokens
        if target_lengths is not None:
            kwargs.update(self._forced_length_kwargs(target_lengths, kwargs.get("num_beams", self.generation_config.num_beams)))
        with torch.inference_mode():
            out = self.model.generate(**batch, **kwargs)
        return self.tokenizer.batch_decode(out, skip_special_tokens=True)

    def translate_batches(
        self,
        batches: Iterable[tuple[Sequence[str], Sequence[int] | None]],
        options: DecodeOptions,
    ) -> Iterator[list[str]]:
        """One batch after another: torch already spreads one batch over every core."""
        for texts, lengths in batches:
            yield self.translate_batch(texts, options, lengths)

    def _forced_length_kwargs(self, lengths: Sequence[int], num_beams: int | None) -> dict[str, Any]:
        """Make every output exactly its given number of tokens (EOS excluded): identical work per backend."""
        from transformers import LogitsProcessorList

        return {
            "max_new_tokens": max(lengths) + 1,
            "forced_eos_token_id": None,
            "logits_processor": LogitsProcessorList(
                [_ForcedLength(list(lengths), num_beams or 1, self.tokenizer.eos_token_id)]
            ),
        }

    def describe(self) -> dict[str, Any]:
        import torch
        import transformers

        source = self.source
        revision = self._revision
        if source.path is not None and revision is None:
            revision = "dir:" + directory_hash(source.path)
        return {
            "model": self.model_id,
            "model_revision": revision,
            "backend": self.name,
            "device": self.device,
            "device_name": torch.cuda.get_device_name() if self.device == "cuda" else platform.processor() or platform.machine(),
            "compute_type": self.compute_type,
            "threads": torch.get_num_threads(),
            "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
            "default_beam_size": self.generation_config.num_beams,
        }


class _ForcedLength:
    """Logits processor: row ``r`` may end only after exactly ``lengths[r // beams]`` tokens."""

    def __init__(self, lengths: list[int], beams: int, eos_id: int):
        self.lengths, self.beams, self.eos_id = lengths, beams, eos_id

    def __call__(self, input_ids, scores):
        import torch

        step = input_ids.shape[1] - 1  # tokens generated so far (decoder start token excluded)
        limits = torch.tensor(self.lengths, device=scores.device).repeat_interleave(self.beams)
        done = limits <= step
        scores[~done, self.eos_id] = float("-inf")
        forced = torch.full_like(scores[done], float("-inf"))
        forced[:, self.eos_id] = 0.0
        scores[done] = forced
        return scores
