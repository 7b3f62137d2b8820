"""Prometheus metrics of the service, on a private registry (no per-IP or per-key labels)."""

from __future__ import annotations

from typing import Any, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Endpoint labels are the app's routes only (anything else is "other"), so label sets stay bounded.
ENDPOINTS = (
    "/translate", "/v1/articles", "/languages", "/health", "/livez", "/readyz", "/metrics", "/v1/info", "/",
)
QA_CHECKS = ("number", "untranslated", "repetition", "length", "empty")
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
WAIT_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)


class ServiceMetrics:
    """The service's collectors; ``render()`` is the ``/metrics`` answer."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("mt_requests", "HTTP requests by endpoint and status", ["endpoint", "status"], registry=r)
        self.latency = Histogram(
            "mt_request_duration_seconds", "HTTP request latency", ["endpoint"], buckets=LATENCY_BUCKETS, registry=r
        )
        self.queue_depth = Gauge("mt_queue_depth", "requests waiting for the model", registry=r)
        self.batches_running = Gauge("mt_batches_running", "pooled batches on the engine now", registry=r)
        self.batch_sentences = Histogram(
            "mt_batch_sentences", "sentences per pooled batch", buckets=BATCH_BUCKETS, registry=r
        )
        self.batch_requests = Histogram(
            "mt_batch_requests", "requests pooled into one batch", buckets=BATCH_BUCKETS, registry=r
        )
        self.batch_wait = Histogram(
            "mt_batch_wait_seconds", "time the oldest request of a batch waited before it ran",
            buckets=WAIT_BUCKETS, registry=r,
        )
        self.sentences = Counter("mt_sentences", "sentences answered, by source", ["source"], registry=r)
        self.qa_flags = Counter("mt_qa_flags", "QA flags raised, by check", ["check"], registry=r)
        self.model = Info("mt_model", "the loaded model and decoding settings", registry=r)
        self.ready = Gauge("mt_ready", "1 when the model is loaded and warmed", registry=r)
        for source in ("cache", "model"):
            self.sentences.labels(source=source)
        for check in QA_CHECKS:
            self.qa_flags.labels(check=check)

    @staticmethod
    def endpoint(path: str) -> str:
        if path in ENDPOINTS:
            return path
        return "/static" if path.startswith("/static/") else "other"

    def observe_request(self, path: str, status: int, seconds: float) -> None:
        endpoint = self.endpoint(path)
        self.requests.labels(endpoint=endpoint, status=str(status)).inc()
        self.latency.labels(endpoint=endpoint).observe(seconds)

    def observe_batch(self, jobs: int, sentences: int, waited: float) -> None:
        self.batch_requests.observe(jobs)
        self.batch_sentences.observe(sentences)
        self.batch_wait.observe(waited)

    def observe_sentences(self, sentences: Iterable[Any]) -> None:
        """Count translated sentences (cache hits apart) and their QA flags by check."""
        cached = model = 0
        flags: dict[str, int] = {}
        for s in sentences:
            if s.cached:
                cached += 1
            else:
                model += 1
            for flag in s.qa:
                flags[flag.check] = flags.get(flag.check, 0) + 1
        if cached:
            self.sentences.labels(source="cache").inc(cached)
        if model:
            self.sentences.labels(source="model").inc(model)
        for check, n in flags.items():
            self.qa_flags.labels(check=check).inc(n)

    def set_model(self, info: dict[str, str]) -> None:
        self.model.info(info)

    def render(self) -> bytes:
        return generate_latest(self.registry)
