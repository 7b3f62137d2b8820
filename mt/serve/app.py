"""The HTTP service: a Starlette app over one :class:`~mt.pipeline.Pipeline` and a micro-batcher.

``create_app(pipeline_or_config, settings)`` returns the ASGI app. Given a config, the model is
loaded (and warmed) in a background thread while ``/livez`` already answers and ``/readyz`` says
503; given a loaded :class:`Pipeline` it is warmed the same way. Requests are preprocessed off the
event loop (``pipeline.preprocess``), their sentences pooled with other requests' by
:class:`~mt.serve.batcher.MicroBatcher` into ``pipeline.translate_sentences`` calls (sentence cache
and QA flags included), and each request is answered from its own articles.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from mt.config import PipelineConfig
from mt.document import Article, Sentence
from mt.pipeline import Pipeline, SentenceCache
from mt.serve.batcher import BatcherClosed, MicroBatcher, QueueFull
from mt.serve.limits import ApiKeys, RateLimiter, RequestError, check_texts
from mt.serve.metrics import ServiceMetrics
from mt.serve.settings import ServeSettings

log = logging.getLogger("mt.serve")

STATIC_DIR = Path(__file__).resolve().parent / "static"
LANGUAGES = [
    {"code": "ar", "name": "Arabic", "targets": ["en"]},
    {"code": "en", "name": "English", "targets": []},
]
SOURCES = ("ar", "auto")
# One short news sentence run through the whole model path before the service says ready.
WARMUP_TEXT = "قال وزير الخارجية إن المحادثات ستستأنف الأسبوع المقبل في جنيف."
PREPROCESS_THREADS = 2

PipelineSource = Pipeline | PipelineConfig | Callable[[], Pipeline]
W = TypeVar("W")


class Service:
    """What one app holds: the pipeline (once loaded), the batcher, the limits and the metrics."""

    def __init__(self, source: PipelineSource, settings: ServeSettings, *, cache: SentenceCache | None = None):
        self.source = source
        self.settings = settings
        self.cache = cache
        self.metrics = ServiceMetrics()
        self.keys = ApiKeys.load(settings.api_keys_file) if settings.api_keys_file else None
        self.rate = RateLimiter(settings.rate_limit)
        self.pipeline: Pipeline | None = None
        self.batcher: MicroBatcher[Sentence] | None = None
        self.load_error: BaseException | None = None
        self.on_load_error: Callable[[BaseException], None] | None = None
        self.draining = False
        self.signature: str | None = None
        self._prep: ThreadPoolExecutor | None = None
        self._loader: asyncio.Task | None = None
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self.batcher is not None and not self.draining and not self.batcher.closing

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        """Load and warm the model in the background; the app answers liveness meanwhile."""
        self._prep = ThreadPoolExecutor(max_workers=PREPROCESS_THREADS, thread_name_prefix="mt-prep")
        self._loader = asyncio.create_task(self._load(), name="mt-load")

    async def _load(self) -> None:
        try:
            pipeline = await asyncio.to_thread(self._build_and_warm)
        except Exception as exc:  # noqa: BLE001 - reported once, the server stops
            self.load_error = exc
            log.error("mt serve: cannot load the model: %s", exc)
            if self.on_load_error is not None:
                self.on_load_error(exc)
            return
        limits = pipeline.translator.backend.job_limits(pipeline.translator.options)
        inflight = self.settings.inflight_batches or max(1, limits.parallelism)
        self.batcher = MicroBatcher(
            self._translate,
            max_cost=self.settings.batch_tokens,
            max_wait=self.settings.max_wait_ms / 1000.0,
            queue_size=self.settings.queue_size,
            inflight=inflight,
            observer=self._observe_batch,
        )
        self.pipeline = pipeline
        self.signature = pipeline.signature()
        d = pipeline.describe()
        self.metrics.set_model(
            {
                "model": str(d.get("model")),
                "backend": str(d.get("backend")),
                "device": str(d.get("device")),
                "compute_type": str(d.get("compute_type")),
                "decoding": str(d.get("decoding")),
                "signature": self.signature,
            }
        )
        await self.batcher.start()
        self.metrics.ready.set(1)
        log.info("mt serve: ready (%s)", self.signature)

    def _build_and_warm(self) -> Pipeline:
        source = self.source
        if isinstance(source, Pipeline):
            pipeline = source
        elif isinstance(source, PipelineConfig):
            pipeline = Pipeline.from_config(source, cache=self.cache)
        else:
            pipeline = source()
        # the whole path once, bypassing the sentence cache: preprocessing, encoding, decoding
        article = pipeline.preprocess(WARMUP_TEXT)
        pipeline.translator.translate_ids([ids for s in article.sentences for ids in s.input_ids])
        return pipeline

    async def stop(self) -> None:
        """Finish queued and running work, then release the threads."""
        self.draining = True
        self.metrics.ready.set(0)
        if self._loader is not None and not self._loader.done():
            await asyncio.gather(self._loader, return_exceptions=True)
        if self.batcher is not None:
            await self.batcher.close()
        if self._prep is not None:
            self._prep.shutdown(wait=True)

    # -- work ---------------------------------------------------------------------------------
    def _translate(self, sentences: Sequence[Sentence]) -> None:
        self.pipeline.translate_sentences(sentences)

    def _observe_batch(self, jobs: int, sentences: int, waited: float) -> None:
        self.metrics.observe_batch(jobs, sentences, waited)
        self.metrics.queue_depth.set(self.batcher.depth if self.batcher else 0)

    def check_ready(self) -> Pipeline:
        if self.draining or (self.batcher is not None and self.batcher.closing):
            raise RequestError(503, "the service is shutting down", retry_after=self.settings.retry_after)
        if self.batcher is None or self.pipeline is None:
            what = "the model failed to load" if self.load_error else "the model is loading"
            raise RequestError(503, f"not ready: {what}", retry_after=self.settings.retry_after)
        return self.pipeline

    def authorize(self, request: Request, key: str | None) -> None:
        """403 for a missing or unknown key (when keys are configured); 429 over the rate limit."""
        rate = None
        if self.keys is not None:
            key = self.keys.check(key)
            rate = self.keys.rate(key)
        else:
            key = request.client.host if request.client else "unknown"
        wait = self.rate.allow(key, rate)
        if wait > 0:
            raise RequestError(429, "rate limit exceeded; slow down", retry_after=max(1, int(wait + 0.999)))

    async def translate_texts(self, texts: Sequence[str]) -> list[Article]:
        """Translate whole texts (each its own article) in shared batches; answers in input order."""
        texts = list(texts)
        return await self.translate(
            lambda pipeline: [pipeline.preprocess(t) for t in texts],
            lambda articles: [s for a in articles for s in a.sentences],
        )

    async def translate(self, prepare: Callable[[Pipeline], W], sentences_of: Callable[[W], list[Sentence]]) -> W:
        """``prepare(pipeline)`` off the event loop (preprocessing), then the sentences it holds
        translated in a shared batch; returns what ``prepare`` made, translated in place."""
        pipeline = self.check_ready()
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        work = await loop.run_in_executor(self._prep, prepare, pipeline)
        sentences = sentences_of(work)
        cost = sum(len(ids) for s in sentences for ids in s.input_ids)
        remaining = self.settings.request_timeout - (time.monotonic() - started)
        try:
            self.metrics.queue_depth.set(self.batcher.depth + 1)
            await asyncio.wait_for(self.batcher.submit(sentences, cost), timeout=max(0.001, remaining))
        except QueueFull as exc:
            raise RequestError(503, str(exc), retry_after=self.settings.retry_after) from None
        except BatcherClosed as exc:
            raise RequestError(503, str(exc), retry_after=self.settings.retry_after) from None
        except TimeoutError:
            raise RequestError(
                503, f"timed out after {self.settings.request_timeout:g} s waiting for the model; try again later",
                retry_after=self.settings.retry_after,
            ) from None
        finally:
            self.metrics.queue_depth.set(self.batcher.depth)
        self.metrics.observe_sentences(sentences)
        return work

    def info(self) -> dict[str, Any]:
        pipeline = self.pipeline
        out: dict[str, Any] = {
            "ready": self.ready,
            "limits": self.settings.limits(),
            "languages": LANGUAGES,
            "signature": self.signature,
        }
        if pipeline is not None:
            d = pipeline.describe()
            out["model"] = {k: d.get(k) for k in ("model", "model_revision", "backend", "device", "compute_type", "decoding")}
            out["qa"] = pipeline.qa is not None
            out["cache"] = pipeline.cache is not None
        return out


# -- request parsing ---------------------------------------------------------------------------
async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing (413) one over ``limit`` bytes before reading all of it."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise RequestError(413, f"request body of {int(declared)} bytes is over the limit of {limit}")
        except ValueError:
            raise RequestError(400, "bad Content-Length header") from None
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"request body is over the limit of {limit} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise RequestError(400, "the client went away before sending the whole body") from None
    return b"".join(chunks)


async def read_payload(request: Request, limit: int, *, form_ok: bool = True) -> dict[str, Any]:
    """A JSON object, or (as LibreTranslate accepts) an urlencoded or multipart form, as a dict."""
    body = await read_body(request, limit)
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if form_ok and ctype == "application/x-www-form-urlencoded":
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise RequestError(400, "form body is not valid UTF-8") from None
        return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    if form_ok and ctype == "multipart/form-data":
        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            form = await Request(request.scope, replay).form()
        except Exception as exc:  # noqa: BLE001 - any parse failure is the client's
            raise RequestError(400, f"bad multipart form: {exc}") from None
        out: dict[str, Any] = {}
        for k in form.keys():
            values = [v for v in form.getlist(k) if isinstance(v, str)]
            if values:
                out[k] = values[0] if len(values) == 1 else values
        return out
    if not body.strip():
        raise RequestError(400, "empty request body: send a JSON object")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestError(400, f"body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RequestError(400, "body must be a JSON object")
    return data


def request_key(request: Request, payload: dict[str, Any] | None = None) -> str | None:
    """The API key: the ``api_key`` field (LibreTranslate), ``X-API-Key`` or ``Authorization: Bearer``."""
    if payload is not None and isinstance(payload.get("api_key"), str) and payload["api_key"]:
        return payload["api_key"]
    if request.headers.get("x-api-key"):
        return request.headers["x-api-key"]
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.query_params.get("api_key") or None


def translate_fields(payload: dict[str, Any]) -> tuple[list[str], bool]:
    """(texts, one) from a LibreTranslate request, checking languages and format (400 otherwise)."""
    if "q" not in payload:
        raise RequestError(400, "invalid request: missing q parameter")
    q = payload["q"]
    one = isinstance(q, str)
    if one:
        texts = [q]
    elif isinstance(q, list) and all(isinstance(t, str) for t in q):
        texts = list(q)
    else:
        raise RequestError(400, "invalid request: q must be a string or a list of strings")
    source = payload.get("source", "auto")
    target = payload.get("target", "en")
    fmt = payload.get("format", "text")
    if source not in SOURCES:
        raise RequestError(400, f"source language {source!r} is not supported (ar or auto)")
    if target != "en":
        raise RequestError(400, f"target language {target!r} is not supported (en)")
    if fmt not in ("text", None, ""):
        raise RequestError(400, f"format {fmt!r} is not supported (text)")
    return texts, one


# -- the app -----------------------------------------------------------------------------------
def error(status: int, message: str, retry_after: int | None = None) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_app(source: PipelineSource, settings: ServeSettings | None = None, *, cache: SentenceCache | None = None) -> Starlette:
    """The ASGI app for one pipeline (or the config to load one from, or a function building one).

    ``cache`` is used when the app builds the pipeline from a config; a given Pipeline keeps its own.
    ``app.state.service`` is the :class:`Service` (readiness, drain flag, metrics).
    """
    settings = settings or ServeSettings()
    service = Service(source, settings, cache=cache)
    metrics = service.metrics

    async def translate(request: Request) -> Response:
        payload = await read_payload(request, settings.max_body_bytes)
        service.authorize(request, request_key(request, payload))
        texts, one = translate_fields(payload)
        check_texts(texts, max_chars=settings.max_chars, max_texts=settings.max_texts)
        articles = await service.translate_texts(texts)
        out = [a.translation for a in articles]
        body: dict[str, Any] = {"translatedText": out[0] if one else out}
        if payload.get("source", "auto") == "auto":
            detected = {"confidence": 100.0, "language": "ar"}
            body["detectedLanguage"] = detected if one else [detected] * len(out)
        return JSONResponse(body)

    async def articles(request: Request) -> Response:
        from mt.feed.output import output_record, prepare_record, record_sentences
        from mt.feed.records import RecordError, parse_record

        payload = await read_payload(request, settings.max_body_bytes, form_ok=False)
        service.authorize(request, request_key(request))
        try:
            record = parse_record(payload)
        except RecordError as exc:
            raise RequestError(400, f"bad record: {exc.reason}") from None
        parts, names = [record.body], ["body"]
        if record.headline is not None:
            parts, names = [record.headline, record.body], ["headline", "body"]
        check_texts(parts, max_chars=settings.max_chars, max_texts=2, names=names)
        headline, body = await service.translate(
            lambda pipeline: prepare_record(pipeline.preprocess, record), lambda hb: record_sentences(*hb)
        )
        return JSONResponse(output_record(record, headline, body, service.signature))

    async def languages(request: Request) -> Response:
        return JSONResponse(LANGUAGES)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def livez(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        service.check_ready()
        return JSONResponse({"status": "ready", "signature": service.signature})

    async def info(request: Request) -> Response:
        return JSONResponse(service.info())

    async def metrics_endpoint(request: Request) -> Response:
        if service.batcher is not None:
            metrics.queue_depth.set(service.batcher.depth)
            metrics.batches_running.set(service.batcher.busy)
        return Response(metrics.render(), media_type=metrics.content_type)

    async def index(request: Request) -> Response:
        page = STATIC_DIR / "index.html"
        if not page.is_file():
            return error(404, "no review page installed")
        return FileResponse(page)

    async def on_request_error(request: Request, exc: RequestError) -> Response:
        return error(exc.status, str(exc), exc.retry_after)

    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, str(exc.detail), None)

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("mt serve: internal error on %s", request.url.path)
        return error(500, f"internal error: {type(exc).__name__}")

    @asynccontextmanager
    async def lifespan(app: Starlette):  # noqa: ANN202 - Starlette's lifespan protocol
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    routes = [
        Route("/translate", translate, methods=["POST"]),
        Route("/v1/articles", articles, methods=["POST"]),
        Route("/languages", languages, methods=["GET", "POST"]),  # LibreTranslate answers both
        Route("/health", health, methods=["GET"]),
        Route("/livez", livez, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/v1/info", info, methods=["GET"]),
        Route("/", index, methods=["GET"]),
    ]
    if STATIC_DIR.is_dir():
        routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"))
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(RequestMetrics, metrics=metrics)],
        exception_handlers={RequestError: on_request_error, HTTPException: on_http_error, Exception: on_crash},
    )
    app.state.service = service
    return app


class RequestMetrics:
    """ASGI middleware counting every HTTP answer by endpoint and status, with its latency."""

    def __init__(self, app: Any, metrics: ServiceMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI signature
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message) -> None:  # noqa: ANN001
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.observe_request(scope.get("path", ""), status, time.perf_counter() - started)
