"""The offline test model loads like a real OPUS-MT model and translates deterministically."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SENTENCES = ["قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل.", "ارتفعت أسعار النفط يوم الثلاثاء."]


def _load(path):
    from transformers import MarianMTModel, MarianTokenizer

    return MarianMTModel.from_pretrained(path), MarianTokenizer.from_pretrained(path)


def _translate(model, tok, texts, **kw):
    import torch

    enc = tok(list(texts), return_tensors="pt", padding=True)
    with torch.inference_mode():
        out = model.generate(**enc, num_beams=1, max_new_tokens=16, **kw)
    return tok.batch_decode(out, skip_special_tokens=True)


def test_layout_and_conventions(tiny_model):
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json", "config.json",
                 "generation_config.json", "model.safetensors"):
        assert (tiny_model / name).is_file(), name
    vocab = json.loads((tiny_model / "vocab.json").read_text(encoding="utf-8"))
    cfg = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))
    gen = json.loads((tiny_model / "generation_config.json").read_text(encoding="utf-8"))
    assert sorted(vocab.values()) == list(range(len(vocab)))
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1
    assert vocab["<pad>"] == len(vocab) - 1 == cfg["pad_token_id"] == cfg["decoder_start_token_id"]
    assert cfg["vocab_size"] == len(vocab)
    assert gen["forced_eos_token_id"] == 0 and gen["num_beams"] == 4 and gen["max_length"] == 512


def test_loads_and_translates(tiny_model):
    model, tok = _load(tiny_model)
    enc = tok(SENTENCES[:1])
    ids = enc["input_ids"][0]
    assert ids[-1] == tok.eos_token_id and tok.unk_token_id not in ids  # Arabic is covered by source.spm
    # the pad row is zero: Marian (and CTranslate2) start the decoder from a zero embedding
    assert float(model.get_input_embeddings().weight.detach()[tok.pad_token_id].abs().sum()) == 0.0
    out = _translate(model, tok, SENTENCES)
    assert len(out) == 2 and all(isinstance(s, str) and s for s in out)
    assert out == _translate(model, tok, SENTENCES)


def test_deterministic_for_a_seed(tmp_path, tiny_model):
    from mt.testing import make_test_model

    again = make_test_model(tmp_path / "again", size="tiny", seed=0)
    for name in ("vocab.json", "source.spm", "target.spm", "model.safetensors"):
        a = hashlib.sha256((tiny_model / name).read_bytes()).hexdigest()
        b = hashlib.sha256((again / name).read_bytes()).hexdigest()
        assert a == b, name
    other = make_test_model(tmp_path / "other", size="tiny", seed=1)
    assert (other / "model.safetensors").read_bytes() != (tiny_model / "model.safetensors").read_bytes()


def test_untied_outputs_vary(tmp_path, example_text):
    from mt.testing import make_test_model

    path = make_test_model(tmp_path / "untied", size="tiny", tie_embeddings=False)
    model, tok = _load(path)
    assert model.lm_head.weight.data_ptr() != model.get_input_embeddings().weight.data_ptr()
    sents = [s.strip() for s in example_text.replace("\n", " ").split(".") if s.strip()][:8]
    out = _translate(model, tok, sents)
    assert len(set(out)) >= 3


def test_cli(tmp_path):
    res = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "make_test_model.py"), str(tmp_path / "m"), "--untied"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "vocab=" in res.stdout and (tmp_path / "m" / "vocab.json").is_file()


def test_rejects_unknown_size(tmp_path):
    from mt.testing import make_test_model

    with pytest.raises(ValueError):
        make_test_model(tmp_path / "x", size="huge")
