"""The CTranslate2 backend: conversion cache, output contract, and parity with transformers.

Parity is checked on the tiny tied model *and* on an untied-output model whose outputs vary from
sentence to sentence (a tied random model repeats one token, which would make parity trivial), and on
log-probabilities of fixed targets (``score_batch`` vs a transformers forward pass).
"""

from __future__ import annotations

import re

import pytest

ctranslate2 = pytest.importorskip("ctranslate2")

from mt.backends.base import Batch, DecodeOptions, ModelLoadError  # noqa: E402

GREEDY = DecodeOptions(beam_size=1, max_new_tokens=24)


@pytest.fixture(scope="module", autouse=True)
def ct2_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("ct2cache")
        mp.setenv("NEWSWIRE_CACHE", str(path))
        yield path


@pytest.fixture(scope="module")
def sentences(example_text) -> list[str]:
    parts = re.split(r"[.،؟!\n]", example_text)
    return [p.strip() for p in parts if len(p.strip()) > 3][:24]


@pytest.fixture(scope="module")
def untied_model(tmp_path_factory):
    from mt.testing import make_test_model

    return make_test_model(tmp_path_factory.mktemp("models") / "untied", size="tiny", tie_embeddings=False)


def _torch_generate(path, texts, max_new_tokens=24, num_beams=1, device="cpu"):
    """Reference: plain transformers, the code path the torch backend takes."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tok = MarianTokenizer.from_pretrained(path)
    model = MarianMTModel.from_pretrained(path).eval().to(device)
    enc = tok(list(texts), return_tensors="pt", padding=True).to(device)
    with torch.inference_mode():
        out = model.generate(**enc, num_beams=num_beams, max_new_tokens=max_new_tokens)
    special = {tok.pad_token_id, tok.eos_token_id}
    ids = [[int(i) for i in row[1:] if int(i) not in special] for row in out]
    return tok.batch_decode(out, skip_special_tokens=True), ids


def _ct2(path, **kw):
    from mt.backends.ct2 import CT2Backend

    kw.setdefault("device", "cpu")
    kw.setdefault("compute_type", "float32")
    return CT2Backend(str(path), **kw)


def test_conversion_is_cached(tiny_model, ct2_cache):
    first = _ct2(tiny_model)
    assert (first.ct2_dir / "model.bin").is_file()
    assert first.ct2_dir.is_relative_to(ct2_cache / "ct2")
    stamp = (first.ct2_dir / "model.bin").stat().st_mtime_ns
    again = _ct2(tiny_model)
    assert again.ct2_dir == first.ct2_dir
    assert (again.ct2_dir / "model.bin").stat().st_mtime_ns == stamp  # not converted twice
    int8 = _ct2(tiny_model, compute_type="int8")
    assert int8.ct2_dir != first.ct2_dir  # the cache is keyed by quantisation
    assert len([p for p in (ct2_cache / "ct2").iterdir() if not p.name.startswith(".")]) == 2
    info = int8.describe()
    assert info["backend"] == "ct2" and info["compute_type"] == "int8" and info["device"] == "cpu"
    assert info["model_revision"].startswith("dir:")
    assert info["inter_threads"] >= 1 and info["intra_threads"] >= 1
    assert info["versions"]["ctranslate2"] == ctranslate2.__version__


def test_defaults(tiny_model):
    backend = _ct2(tiny_model, compute_type=None)
    assert (backend.name, backend.device, backend.compute_type) == ("ct2", "cpu", "int8")
    assert backend.default_beam_size == 4


def translate(backend, texts, options=GREEDY):
    """Texts through the public protocol: encode once, one batch, hypotheses back."""
    if not texts:
        return []
    (hyps,) = backend.generate([Batch(backend.encode(texts), options)])
    return [h.text for h in hyps]


def test_output_contract(tiny_model, sentences):
    from transformers import MarianTokenizer

    backend = _ct2(tiny_model)
    tok = MarianTokenizer.from_pretrained(tiny_model)
    assert backend.encode(sentences) == tok(sentences).input_ids
    assert backend.encode(sentences[:1])[0][-1] == tok.eos_token_id
    assert list(backend.generate([])) == []
    batch = translate(backend, sentences)
    assert len(batch) == len(sentences) and all(isinstance(s, str) for s in batch)
    assert batch == [translate(backend, [s])[0] for s in sentences]  # batched == one by one
    single = _ct2(tiny_model, inter_threads=1, intra_threads=1)
    assert translate(single, sentences) == batch  # replicas change nothing


def test_hypotheses_carry_score_and_length_cap(untied_model, sentences):
    backend = _ct2(untied_model)
    (hyps,) = backend.generate([Batch(backend.encode(sentences[:4]), DecodeOptions(beam_size=1, max_new_tokens=2))])
    assert all(h.truncated for h in hyps)  # a random model does not stop within 2 tokens
    assert all(h.score is not None and h.score < 0 for h in hyps)
    (beam,) = backend.generate([Batch(backend.encode(sentences[:4]), DecodeOptions(beam_size=2, max_new_tokens=20))])
    assert all(h.score is None for h in beam)  # not cheap in beam search: not asked for


def test_generate_keeps_batch_order(untied_model, sentences):
    backend = _ct2(untied_model, inter_threads=2, intra_threads=1, max_hypotheses=4, max_positions=60)
    groups = [sentences[i : i + 5] for i in range(0, len(sentences), 5)] + [[]]
    for opts in (GREEDY, DecodeOptions(beam_size=2, max_new_tokens=10)):
        got = [[h.text for h in hyps] for hyps in backend.generate(Batch(backend.encode(g), opts) for g in groups)]
        assert got == [translate(backend, g, opts) for g in groups]
    assert backend.job_limits(GREEDY).parallelism == 2 and backend.job_limits(GREEDY).max_hypotheses == 4


def test_same_contract_as_torch_backend(tiny_model, sentences):
    from mt.backends.hf import HFBackend

    torch_backend = HFBackend(str(tiny_model), device="cpu")
    ct2_backend = _ct2(tiny_model)
    assert torch_backend.encode(sentences) == ct2_backend.encode(sentences)
    a = translate(torch_backend, sentences)
    b = translate(ct2_backend, sentences)
    assert sum(x == y for x, y in zip(a, b)) >= 0.95 * len(sentences)


@pytest.mark.parametrize("which", ["tied", "untied"])
def test_greedy_float32_parity(which, tiny_model, untied_model, sentences):
    path = tiny_model if which == "tied" else untied_model
    ref, _ = _torch_generate(path, sentences)
    hyp = translate(_ct2(path), sentences)
    same = sum(a == b for a, b in zip(ref, hyp))
    assert same >= 0.95 * len(sentences), f"greedy float32 parity ({which}): {same}/{len(sentences)}"
    if which == "untied":
        assert len(set(ref)) >= len(sentences) // 3  # outputs vary, so the parity above means something


def _score(backend, texts, targets):
    """Per-token log-probabilities of ``targets`` given ``texts`` with CTranslate2's score_batch."""
    tok = backend.tokenizer
    src = [backend.tokens.ids_to_tokens(row) for row in backend.encode(texts)]
    tgt = [tok.convert_ids_to_tokens(row)[:-1] for row in tok(text_target=list(targets)).input_ids]  # ct2 adds </s>
    return [list(r.log_probs) for r in backend.translator.score_batch(src, tgt)]


def test_log_probabilities_match(untied_model, sentences):
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    targets = [
        "The minister said the talks would resume next week.",
        "Oil prices rose on Tuesday.",
        "Fighting intensified on several fronts in the city of Aleppo yesterday.",
    ]
    texts = sentences[:3]
    scores = _score(_ct2(untied_model), texts, targets)
    tok = MarianTokenizer.from_pretrained(untied_model)
    model = MarianMTModel.from_pretrained(untied_model).eval()
    enc = tok(texts, text_target=targets, return_tensors="pt", padding=True)
    with torch.inference_mode():
        logits = model(**enc).logits[..., : tok.pad_token_id]  # CTranslate2 has no <pad> entry
    labels = enc["labels"]
    logp = torch.log_softmax(logits, -1).gather(-1, labels.clamp(max=tok.pad_token_id - 1).unsqueeze(-1))[..., 0]
    for row, ct2_lp in enumerate(scores):
        n = int((labels[row] != tok.pad_token_id).sum())
        assert len(ct2_lp) == n  # </s> included
        ref = logp[row, :n].tolist()
        assert max(abs(a - b) for a, b in zip(ct2_lp, ref)) < 1e-3


@pytest.mark.parametrize("which,floor", [("tied", 0.7), ("untied", 0.4)])
def test_int8_mostly_agrees_with_float32(which, floor, tiny_model, untied_model, sentences):
    """int8 quantisation changes some tokens of a random model; measured 20/24 (tied) and 13/24
    (untied) identical outputs, so these floors catch a broken quantised path."""
    path = tiny_model if which == "tied" else untied_model
    ref, _ = _torch_generate(path, sentences)
    hyp = translate(_ct2(path, compute_type="int8"), sentences)
    same = sum(a == b for a, b in zip(ref, hyp))
    assert same >= floor * len(sentences), f"int8 vs torch float32 ({which}): {same}/{len(sentences)}"


def test_fixed_lengths_match_torch_backend(untied_model, sentences):
    """min = max new tokens (how benchmarks fix the work) gives the same outputs on both engines."""
    from mt.backends.hf import HFBackend

    hf = HFBackend(str(untied_model), device="cpu")
    ct2 = _ct2(untied_model)
    same = 0
    for i, s in enumerate(sentences):
        n = 3 + (7 * i) % 17
        opts = DecodeOptions(beam_size=1, max_new_tokens=n, min_new_tokens=n)
        a, b = translate(hf, [s], opts), translate(ct2, [s], opts)
        same += a == b
    assert same >= 0.9 * len(sentences)


def test_load_errors(tmp_path):
    from mt.backends.ct2 import CT2Backend

    with pytest.raises(ModelLoadError, match="no such directory"):
        CT2Backend(str(tmp_path / "missing"), device="cpu")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    with pytest.raises(ModelLoadError, match="bad"):
        CT2Backend(str(bad), device="cpu")
    with pytest.raises(ValueError):
        CT2Backend(str(tmp_path / "missing"), device="cpu", compute_type="float16")


def test_load_backend_auto_picks_ct2(tiny_model):
    from mt.backends import load_backend

    backend = load_backend(str(tiny_model), backend="auto", device="cpu")
    assert backend.name == "ct2"


def _needs_cuda():
    import torch

    if not torch.cuda.is_available() or ctranslate2.get_cuda_device_count() == 0:
        pytest.skip("no CUDA GPU (torch and CTranslate2 both need to see one)")


@pytest.mark.gpu
@pytest.mark.parametrize("compute_type", ["float32", "float16", "int8_float16"])
def test_cuda(compute_type, untied_model, sentences):
    _needs_cuda()
    backend = _ct2(untied_model, device="cuda", compute_type=compute_type)
    assert backend.device == "cuda" and backend.describe()["device"] == "cuda"
    ref, ref_ids = _torch_generate(untied_model, sentences, device="cuda")
    hyp = translate(backend, sentences)
    assert len(hyp) == len(sentences)
    if compute_type == "float32":
        assert sum(a == b for a, b in zip(ref, hyp)) >= 0.95 * len(sentences)


@pytest.mark.gpu
def test_cuda_default_is_float16(tiny_model):
    _needs_cuda()
    assert _ct2(tiny_model, device="cuda", compute_type=None).compute_type == "float16"
