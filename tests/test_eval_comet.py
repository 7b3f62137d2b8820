"""COMET is optional: without the package or a local model it is reported as skipped, never an error."""

from __future__ import annotations

import eval.comet as comet


def test_skipped_without_model_path():
    r = comet.comet_score(["a"], ["b"], ["c"], None)
    assert r["status"] == "skipped" and "--comet-model" in r["reason"]


def test_skipped_without_package(monkeypatch, tmp_path):
    monkeypatch.setattr(comet, "comet_available", lambda: False)
    r = comet.comet_score(["a"], ["b"], ["c"], str(tmp_path))
    assert r["status"] == "skipped" and "unbabel-comet" in r["reason"]


def test_skipped_for_missing_path_or_checkpoint(monkeypatch, tmp_path):
    monkeypatch.setattr(comet, "comet_available", lambda: True)
    r = comet.comet_score(["a"], ["b"], ["c"], str(tmp_path / "missing"))
    assert r["status"] == "skipped" and "does not exist" in r["reason"]
    r = comet.comet_score(["a"], ["b"], ["c"], str(tmp_path))
    assert r["status"] == "skipped" and "no .ckpt" in r["reason"]


def test_failure_inside_comet_is_skipped(monkeypatch, tmp_path):
    import sys
    import types

    fake = types.ModuleType("comet")

    def load_from_checkpoint(path):
        raise RuntimeError("needs xlm-roberta from the hub")

    fake.load_from_checkpoint = load_from_checkpoint
    monkeypatch.setitem(sys.modules, "comet", fake)
    monkeypatch.setattr(comet, "comet_available", lambda: True)
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "model.ckpt").write_bytes(b"")
    r = comet.comet_score(["a"], ["b"], ["c"], str(tmp_path))
    assert r["status"] == "skipped" and "needs xlm-roberta" in r["reason"]


def test_scores_with_a_working_comet(monkeypatch, tmp_path):
    import sys
    import types

    class Out:
        system_score = 0.75
        scores = [0.5, 1.0]

    class Model:
        def predict(self, data, batch_size, gpus, progress_bar):
            assert data[0] == {"src": "s1", "mt": "h1", "ref": "r1"} and gpus == 0
            return Out()

    fake = types.ModuleType("comet")
    fake.load_from_checkpoint = lambda path: Model()
    monkeypatch.setitem(sys.modules, "comet", fake)
    monkeypatch.setattr(comet, "comet_available", lambda: True)
    ckpt = tmp_path / "model.ckpt"
    ckpt.write_bytes(b"")
    r = comet.comet_score(["s1", "s2"], ["h1", "h2"], ["r1", "r2"], str(ckpt))
    assert r == {"status": "ok", "model": str(ckpt), "score": 0.75, "segments": [0.5, 1.0]}
