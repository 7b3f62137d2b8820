"""The model-side normalisation: what OPUS-MT models saw in training, applied right before tokenising.

OPUS-MT training data went through Moses' replace-unicode-punctuation, remove-non-printing-char
and normalize-punctuation scripts before SentencePiece. transformers' MarianTokenizer builds that
normaliser but never calls it, so we apply it here. It changes only what the model sees, never the
user-visible repaired text.
"""

from __future__ import annotations

from functools import lru_cache

from sacremoses import MosesPunctNormalizer


class ModelInputNormalizer:
    """Moses punctuation normalisation (sacremoses), cached per string."""

    def __init__(self, lang: str = "ar"):
        self.lang = lang
        self._moses = MosesPunctNormalizer(lang=lang, pre_replace_unicode_punct=True, post_remove_control_chars=True)
        self._cached = lru_cache(maxsize=65536)(self._normalize)

    @property
    def settings(self) -> str:
        return f"moses-punct:{self.lang}"

    def _normalize(self, text: str) -> str:
        return " ".join(self._moses.normalize(text).split())

    def __call__(self, text: str) -> str:
        return self._cached(text)
