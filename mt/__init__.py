"""newswire-mt: Arabic-to-English machine translation for news wires.

Library first: ``Pipeline(model).translate_article(text)`` returns an :class:`Article` record whose
sentences keep their spans in the original text, their repaired text, model inputs and translations.
"""

from mt.backends.base import DEFAULT_MODEL, DecodeOptions, Hypothesis, ModelLoadError
from mt.config import ConfigError, PipelineConfig
from mt.document import Article, Edit, Paragraph, Sentence
from mt.pipeline import Pipeline, translate_article
from mt.preprocess import Preprocessor, preprocess
from mt.translator import Translator

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ConfigError",
    "DEFAULT_MODEL",
    "DecodeOptions",
    "Edit",
    "Hypothesis",
    "ModelLoadError",
    "Paragraph",
    "Pipeline",
    "PipelineConfig",
    "Preprocessor",
    "Sentence",
    "Translator",
    "__version__",
    "preprocess",
    "translate_article",
]
