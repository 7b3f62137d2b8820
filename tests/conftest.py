"""Shared fixtures: the read-only data beside the checkout, and a tiny MarianMT model built once."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# An empty Hugging Face cache and no hub, for the whole session and every subprocess it starts: a
# model the developer happens to have cached (the default one, say) can never change an outcome.
# Set at import, before any test module imports huggingface_hub (it reads HF_HOME once).
_HF_HOME = tempfile.mkdtemp(prefix="newswire-test-hf-")
atexit.register(shutil.rmtree, _HF_HOME, True)
os.environ["HF_HOME"] = _HF_HOME
os.environ.pop("HF_HUB_CACHE", None)
os.environ.pop("TRANSFORMERS_CACHE", None)
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest

from eval.testsets import ntrex_dev_dir

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_ARTICLE = REPO / "examples" / "aleppo-2016.ar.txt"
NTREX_DIR = ntrex_dev_dir()


@pytest.fixture(scope="session", autouse=True)
def isolated_caches(tmp_path_factory):
    """Converted models and downloads go to a temporary cache, never the user's ~/.cache."""
    old = os.environ.get("NEWSWIRE_CACHE")
    os.environ["NEWSWIRE_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    # the spacing stage's character model is built once per cache (about 20 s): build it here, so
    # every test and every `mt` subprocess of the session loads it instead of building it again
    from mt.text.char_model import arabic_char_model

    arabic_char_model()
    yield
    if old is None:
        os.environ.pop("NEWSWIRE_CACHE", None)
    else:
        os.environ["NEWSWIRE_CACHE"] = old


@pytest.fixture(scope="session")
def ntrex_dir() -> Path:
    """The NTREX-128 dev set in ../shared; tests using it skip cleanly when it is absent."""
    if not (NTREX_DIR / "ntrex.dev.ar").is_file():
        pytest.skip(f"NTREX dev data not found at {NTREX_DIR}")
    return NTREX_DIR


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A tiny random MarianMT directory (SentencePiece + MarianConfig), loaded like a real model."""
    from mt.testing import make_test_model

    out = tmp_path_factory.mktemp("models") / "tiny"
    make_test_model(out, size="tiny")
    return out
