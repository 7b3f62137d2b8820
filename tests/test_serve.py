"""`mt serve` as users run it: a real uvicorn process on loopback with the tiny model.

One main server (API keys on, small limits) answers most tests; a second one with a one-request
queue and a long batch wait makes "queue full" and the SIGTERM drain deterministic. The not-ready
state is checked in-process with a model loader that waits for the test.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("prometheus_client")

REPO = Path(__file__).resolve().parents[1]
KEY, SLOW_KEY = "k-main", "k-slow"
TEXTS = [
    "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في جنيف.",
    "ارتفعت أسعار النفط بنسبة ثلاثة في المئة يوم الثلاثاء.",
    "وصل الرئيس إلى العاصمة في زيارة رسمية تستمر يومين.\nقالت الشرطة إنها اعتقلت خمسة أشخاص.",
]
DECODING = ["--beam-size", "1", "--max-new-tokens", "8"]


class Server:
    def __init__(self, proc: subprocess.Popen, url: str, stderr: list[str]):
        self.proc, self.url, self.stderr = proc, url, stderr

    def client(self, **kw) -> "httpx.Client":
        return httpx.Client(base_url=self.url, timeout=60, **kw)


def start_server(model: Path, *extra: str) -> Server:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "mt.cli", "serve", "--model", str(model), "--port", "0", "--no-cache",
           "--log-level", "warning", *DECODING, *extra]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=REPO)
    lines: list[str] = []
    url = None
    while url is None:
        line = proc.stderr.readline()
        if not line:
            raise AssertionError(f"mt serve did not start: {''.join(lines)}")
        lines.append(line)
        m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        url = m.group(1) if m else None
    threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
    server = Server(proc, url, lines)
    deadline = time.monotonic() + 120
    with server.client() as c:
        while c.get("/readyz").status_code != 200:
            assert proc.poll() is None, "".join(lines)
            assert time.monotonic() < deadline, "not ready after 120 s"
            time.sleep(0.1)
    return server


def stop(server: Server) -> int:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
    return server.proc.wait(60)


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "keys.txt"
    path.write_text(f"# newsroom keys\n{KEY}\n{SLOW_KEY} 2\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(tiny_model, keys_file):
    s = start_server(tiny_model, "--api-keys", str(keys_file), "--max-chars", "300", "--max-texts", "4",
                     "--max-body-bytes", "4096")
    yield s
    stop(s)


@pytest.fixture(scope="module")
def reference(tiny_model):
    """The same pipeline in-process: what the service must answer."""
    from mt.config import PipelineConfig
    from mt.pipeline import Pipeline

    return Pipeline.from_config(PipelineConfig(model=str(tiny_model), beam_size=1, max_new_tokens=8))


def test_liveness_languages_health_and_info(server):
    with server.client() as c:
        assert c.get("/livez").json() == {"status": "ok"}
        assert c.get("/health").json() == {"status": "ok"}
        assert c.get("/languages").json() == [
            {"code": "ar", "name": "Arabic", "targets": ["en"]},
            {"code": "en", "name": "English", "targets": []},
        ]
        info = c.get("/v1/info").json()
        assert info["ready"] is True
        assert info["limits"]["max_chars"] == 300 and info["limits"]["api_key_required"] is True
        assert info["signature"] and "beam:1" in info["signature"]
        assert c.get("/").status_code == 200


def test_translate_string_and_list_match_the_library(server, reference):
    expected = [reference.translate_article(t).translation for t in TEXTS]
    assert len(set(expected)) > 1  # distinct answers, so a mix-up would show
    with server.client() as c:
        one = c.post("/translate", json={"q": TEXTS[0], "source": "ar", "target": "en", "api_key": KEY})
        assert one.status_code == 200 and one.json() == {"translatedText": expected[0]}
        many = c.post("/translate", json={"q": TEXTS, "source": "auto", "target": "en", "api_key": KEY})
        assert many.status_code == 200
        assert many.json()["translatedText"] == expected
        assert "\n" in many.json()["translatedText"][2]  # one output line per input line
        # LibreTranslate clients also send forms, with the key in the form
        form = c.post("/translate", data={"q": TEXTS[1], "source": "ar", "target": "en", "api_key": KEY})
        assert form.status_code == 200 and form.json()["translatedText"] == expected[1]
        # and concurrent requests are each answered with their own text
        results: dict[int, str] = {}

        def ask(i: int) -> None:
            with server.client() as own:
                r = own.post("/translate", json={"q": TEXTS[i % 3], "api_key": KEY})
                results[i] = r.json()["translatedText"]

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == {i: expected[i % 3] for i in range(12)}


def test_article_endpoint_returns_the_batch_output_record(server, reference):
    from mt.feed.output import translate_record
    from mt.feed.records import parse_record

    record = {"uri": "urn:test:1", "version": "2", "headline": TEXTS[0], "body": TEXTS[2], "extra": {"x": 1}}
    expected = translate_record(reference, parse_record(record))
    with server.client(headers={"X-API-Key": KEY}) as c:
        r = c.post("/v1/articles", json=record)
        assert r.status_code == 200, r.text
        assert r.json() == json.loads(json.dumps(expected, ensure_ascii=False))
        bad = c.post("/v1/articles", json={"uri": "x"})
        assert bad.status_code == 400 and "body" in bad.json()["error"]


@pytest.mark.parametrize(
    "body, status, words",
    [
        (b"{not json", 400, "JSON"),
        (json.dumps({"source": "ar", "api_key": KEY}).encode(), 400, "missing q"),
        (json.dumps({"q": "x" * 301, "api_key": KEY}).encode(), 400, "limit of 300"),
        (json.dumps({"q": ["a"] * 5, "api_key": KEY}).encode(), 400, "too many texts"),
        (json.dumps({"q": "a", "target": "fr", "api_key": KEY}).encode(), 400, "'fr'"),
        (json.dumps({"q": 5, "api_key": KEY}).encode(), 400, "string"),
        (b'{"q": "\\ud800", "api_key": "%s"}' % KEY.encode(), 400, "surrogate"),
        (json.dumps([1]).encode(), 400, "object"),
        (json.dumps({"q": "a"}).encode(), 403, "API key"),
        (json.dumps({"q": "a", "api_key": "wrong"}).encode(), 403, "invalid"),
        (json.dumps({"q": "a" * 5000, "api_key": KEY}).encode(), 413, "4096"),
    ],
)
def test_bad_requests_get_one_json_error_with_the_right_status(server, body, status, words):
    with server.client() as c:
        r = c.post("/translate", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status
    assert words in r.json()["error"]


def test_rate_limit_per_key(server):
    with server.client() as c:
        codes = [c.post("/translate", json={"q": "نعم", "api_key": SLOW_KEY}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.post("/translate", json={"q": "نعم", "api_key": SLOW_KEY})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "rate limit" in r.json()["error"]
        assert c.post("/translate", json={"q": "نعم", "api_key": KEY}).status_code == 200  # other keys unaffected


def test_metrics(server):
    with server.client() as c:
        c.post("/translate", json={"q": TEXTS[0], "api_key": KEY})
        c.post("/translate", json={"q": "a"})  # 403
        text = c.get("/metrics").text
    assert 'mt_requests_total{endpoint="/translate",status="200"}' in text
    assert 'mt_requests_total{endpoint="/translate",status="403"}' in text
    assert "mt_request_duration_seconds_bucket" in text
    assert "mt_queue_depth" in text and "mt_batch_sentences_count" in text and "mt_batch_wait_seconds_count" in text
    assert re.search(r'mt_sentences_total\{source="model"\} [1-9]', text)
    assert 'mt_sentences_total{source="cache"}' in text and "mt_qa_flags_total" in text
    assert "mt_model_info{" in text and "mt_ready 1.0" in text
    assert "127.0.0.1" not in text and KEY not in text  # no per-client or per-key labels


def test_queue_full_then_sigterm_drains_in_flight_requests(tiny_model):
    # a 1-request queue and a 3 s batch wait: the first request sits in the queue, the next is refused
    s = start_server(tiny_model, "--queue-size", "1", "--max-wait-ms", "3000", "--batch-tokens", "100000")
    results: dict[str, "httpx.Response"] = {}

    def ask(name: str) -> None:
        with s.client() as c:
            results[name] = c.post("/translate", json={"q": TEXTS[0]})

    def wait_queued(n: int) -> None:
        with s.client() as c:
            deadline = time.monotonic() + 30
            while f"mt_queue_depth {n}.0" not in c.get("/metrics").text:
                assert time.monotonic() < deadline
                time.sleep(0.02)

    try:
        first = threading.Thread(target=ask, args=("first",))
        first.start()
        wait_queued(1)
        with s.client() as c:
            full = c.post("/translate", json={"q": TEXTS[1]})
        assert full.status_code == 503 and "retry-after" in full.headers and "try again" in full.json()["error"]
        first.join()
        assert results["first"].status_code == 200
        # SIGTERM while a request waits: it is answered, then the process exits 0
        second = threading.Thread(target=ask, args=("second",))
        second.start()
        wait_queued(1)
        s.proc.send_signal(signal.SIGTERM)
        second.join()
        assert results["second"].status_code == 200 and results["second"].json()["translatedText"]
        assert s.proc.wait(60) == 0
        assert any("stopped" in line for line in s.stderr)
    finally:
        stop(s)


def test_not_ready_until_the_model_is_loaded(tiny_model):
    """In-process uvicorn with a loader that waits: liveness answers, readiness and work say 503."""
    import uvicorn

    from mt.cli.serve import listen
    from mt.config import PipelineConfig
    from mt.pipeline import Pipeline
    from mt.serve.app import create_app
    from mt.serve.settings import ServeSettings

    go = threading.Event()

    def load() -> Pipeline:
        go.wait(60)
        return Pipeline.from_config(PipelineConfig(model=str(tiny_model), beam_size=1, max_new_tokens=8))

    app = create_app(load, ServeSettings(port=0))
    sock = listen("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=url, timeout=30) as c:
            deadline = time.monotonic() + 30
            while not server.started:
                assert time.monotonic() < deadline
                time.sleep(0.01)
            assert c.get("/livez").status_code == 200
            r = c.get("/readyz")
            assert r.status_code == 503 and "loading" in r.json()["error"] and r.headers["retry-after"]
            r = c.post("/translate", json={"q": TEXTS[0]})
            assert r.status_code == 503 and "not ready" in r.json()["error"]
            go.set()
            while c.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert c.post("/translate", json={"q": TEXTS[0]}).status_code == 200
    finally:
        go.set()
        server.should_exit = True
        thread.join(30)
        sock.close()


def test_bad_options_are_one_line_errors(tiny_model, tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    empty = tmp_path / "keys.txt"
    empty.write_text("# nobody\n", encoding="utf-8")
    for extra, words in (
        (["--api-keys", str(empty)], "holds no keys"),
        (["--queue-size", "0"], "--queue-size"),
        (["--api-keys", str(tmp_path / "missing.txt")], "cannot read"),
    ):
        r = subprocess.run([sys.executable, "-m", "mt.cli", "serve", "--model", str(tiny_model), *extra],
                           capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip().startswith("mt: error:") and words in r.stderr and "Traceback" not in r.stderr


def test_service_translations_are_those_of_mt_batch(server, tiny_model, tmp_path):
    record = {"uri": "urn:test:batch", "headline": TEXTS[1], "body": TEXTS[2] + "\n\n" + TEXTS[0]}
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-m", "mt.cli", "batch", str(feed), "-o", str(out), "--no-cache",
                        "--model", str(tiny_model), *DECODING], capture_output=True, text=True, env=env, cwd=REPO,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    batch = json.loads(out.read_text(encoding="utf-8"))["translation"]
    with server.client(headers={"X-API-Key": KEY}) as c:
        served = c.post("/v1/articles", json=record).json()["translation"]
    assert served["headline"] == batch["headline"] and served["body"] == batch["body"]
    assert [s["translation"] for s in served["sentences"]] == [s["translation"] for s in batch["sentences"]]


def test_listening_socket_is_tcp_so_replies_are_not_delayed():
    """asyncio sets TCP_NODELAY only on IPPROTO_TCP sockets; without it a reply on a kept-alive
    connection waits for the client's delayed ACK (~40 ms a request)."""
    import socket

    from mt.cli.serve import listen

    sock = listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        sock.close()
