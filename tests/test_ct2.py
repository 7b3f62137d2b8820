"""The CTranslate2 backend: conversion cache, output contract, and parity with transformers.

Parity is checked on the tiny tied model *and* on an untied-output model whose outputs vary from
sentence to sentence (a tied random model repeats one token, which would make parity trivial), and on
log-probabilities of fixed targets (``score_batch`` vs a transformers forward pass).
"""

from __future__ import annotations

import re

import pytest

ctranslate2 = pytest.importorskip("ctranslate2")

from mt.backends.base import DecodeOptions, ModelLoadError  # noqa: E402

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


def test_output_contract(tiny_model, sentences):
    from transformers import MarianTokenizer

    backend = _ct2(tiny_model)
    tok = MarianTokenizer.from_pretrained(tiny_model)
    assert backend.count_tokens(sentences) == [len(ids) for ids in tok(sentences).input_ids]
    assert backend.source_tokens(sentences[:1])[0][-1] == "</s>"
    assert backend.translate_batch([], GREEDY) == []
    batch = backend.translate_batch(sentences, GREEDY)
    assert len(batch) == len(sentences) and all(isinstance(s, str) for s in batch)
    assert batch == [backend.translate_batch([s], GREEDY)[0] for s in sentences]  # batched == one by one
    # splitting a batch over concurrent replicas changes nothing
    single = _ct2(tiny_model, inter_threads=1, intra_threads=1)
    assert single.translate_batch(sentences, GREEDY) == batch


def test_translate_batches_keeps_order_and_results(untied_model, sentences):
    backend = _ct2(untied_model, inter_threads=2, intra_threads=1, max_hypotheses=4, max_positions=60)
    batches = [sentences[i : i + 5] for i in range(0, len(sentences), 5)] + [[]]
    lengths = [[3 + (i + j) % 6 for j in range(len(b))] for i, b in enumerate(batches)]
    for opts in (GREEDY, DecodeOptions(beam_size=2, max_new_tokens=10)):
        got = list(backend.translate_batches(zip(batches, [None] * len(batches)), opts))
        assert got == [backend.translate_batch(b, opts) if b else [] for b in batches]
    assert list(backend.translate_batches([(sentences, None)], GREEDY)) == [backend.translate_batch(sentences, GREEDY)]
    forced = list(backend.translate_batches(zip(batches, lengths), GREEDY))
    assert forced == [backend.translate_batch(b, GREEDY, n) if b else [] for b, n in zip(batches, lengths)]


def test_same_contract_as_torch_backend(tiny_model, sentences):
    hf = pytest.importorskip("mt.backends.hf")
    torch_backend = hf.HFBackend(str(tiny_model), device="cpu")
    ct2_backend = _ct2(tiny_model)
    assert torch_backend.count_tokens(sentences) == ct2_backend.count_tokens(sentences)
    a = torch_backend.translate_batch(sentences, GREEDY)
    b = ct2_backend.translate_batch(sentences, GREEDY)
    assert sum(x == y for x, y in zip(a, b)) >= 0.95 * len(sentences)


@pytest.mark.parametrize("which", ["tied", "untied"])
def test_greedy_float32_parity(which, tiny_model, untied_model, sentences):
    path = tiny_model if which == "tied" else untied_model
    ref, _ = _torch_generate(path, sentences)
    hyp = _ct2(path).translate_batch(sentences, GREEDY)
    same = sum(a == b for a, b in zip(ref, hyp))
    print(f"greedy float32 parity ({which}): {same}/{len(sentences)} identical")
    assert same >= 0.95 * len(sentences)
    if which == "untied":
        assert len(set(ref)) >= len(sentences) // 3  # outputs vary, so the parity above means something


def test_log_probabilities_match(untied_model, sentences):
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    targets = [
        "The minister said the talks would resume next week.",
        "Oil prices rose on Tuesday.",
        "Fighting intensified on several fronts in the city of Aleppo yesterday.",
    ]
    texts = sentences[:3]
    scores = _ct2(untied_model).score(texts, targets)
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


@pytest.mark.parametrize("which", ["tied", "untied"])
def test_int8_keeps_decoded_length(which, tiny_model, untied_model, sentences):
    path = tiny_model if which == "tied" else untied_model
    ref, ref_ids = _torch_generate(path, sentences)
    backend = _ct2(path, compute_type="int8")
    ids = backend.generate_ids(sentences, GREEDY)
    assert [len(x) for x in ids] == [len(x) for x in ref_ids]
    same = sum(a == b for a, b in zip(ref, backend.translate_batch(sentences, GREEDY)))
    print(f"int8 vs torch float32 ({which}): {same}/{len(sentences)} identical, all lengths equal")


def test_forced_lengths(untied_model, sentences):
    lengths = [3 + (7 * i) % 17 for i in range(len(sentences))]
    for beam in (1, 4):
        opts = DecodeOptions(beam_size=beam, max_new_tokens=8)  # forced lengths override the limit
        ids = _ct2(untied_model).generate_ids(sentences, opts, lengths)
        assert [len(x) for x in ids] == lengths
        assert all(0 not in x for x in ids)  # no </s> inside


def test_forced_lengths_match_torch_backend(untied_model, sentences):
    hf = pytest.importorskip("mt.backends.hf")
    lengths = [3 + (7 * i) % 17 for i in range(len(sentences))]
    a = hf.HFBackend(str(untied_model), device="cpu").translate_batch(sentences, GREEDY, lengths)
    b = _ct2(untied_model).translate_batch(sentences, GREEDY, lengths)
    assert sum(x == y for x, y in zip(a, b)) >= 0.95 * len(sentences)


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
    hyp = backend.translate_batch(sentences, GREEDY)
    assert len(hyp) == len(sentences)
    ids = backend.generate_ids(sentences, GREEDY)
    assert [len(x) for x in ids] == [len(x) for x in ref_ids]
    if compute_type == "float32":
        assert sum(a == b for a, b in zip(ref, hyp)) >= 0.95 * len(sentences)


@pytest.mark.gpu
def test_cuda_default_is_float16(tiny_model):
    _needs_cuda()
    assert _ct2(tiny_model, device="cuda", compute_type=None).compute_type == "float16"
