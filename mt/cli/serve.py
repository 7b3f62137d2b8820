"""`mt serve`: the HTTP translation service (LibreTranslate-compatible, micro-batching).

A thin layer over :func:`mt.serve.app.create_app`: options -> PipelineConfig + ServeSettings, a
listening socket bound here (so a busy port is one clear line), uvicorn to run the app. SIGTERM
drains in-flight requests and exits 0.
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys

from mt.cli.common import UserError, add_cache_arguments, open_cache
from mt.config import add_pipeline_arguments, config_from_args


def add_parser(sub: argparse._SubParsersAction) -> None:
    from mt.serve.settings import ServeSettings

    d = ServeSettings()
    p = sub.add_parser("serve", help="HTTP translation service (LibreTranslate-compatible, micro-batching)")
    add_pipeline_arguments(p)
    net = p.add_argument_group("service")
    net.add_argument("--host", default=d.host, help=f"address to listen on (default {d.host}: this machine only)")
    net.add_argument("--port", type=int, default=d.port, help=f"port (default {d.port}; 0: any free port)")
    net.add_argument("--api-keys", metavar="FILE", help="allowed API keys, one per line (optionally 'KEY RATE_PER_MINUTE')")
    net.add_argument("--rate-limit", type=float, default=d.rate_limit, metavar="N",
                     help="requests per minute per key (or client address without keys); 0: none (default)")
    net.add_argument("--max-chars", type=int, default=d.max_chars, help=f"characters per text (default {d.max_chars})")
    net.add_argument("--max-texts", type=int, default=d.max_texts, help=f"texts per request (default {d.max_texts})")
    net.add_argument("--max-body-bytes", type=int, default=d.max_body_bytes,
                     help=f"request body size (default {d.max_body_bytes})")
    net.add_argument("--queue-size", type=int, default=d.queue_size,
                     help=f"requests waiting for the model before 503 (default {d.queue_size})")
    net.add_argument("--request-timeout", type=float, default=d.request_timeout,
                     help=f"seconds a request may wait for its translation (default {d.request_timeout:g})")
    net.add_argument("--max-wait-ms", type=float, default=d.max_wait_ms,
                     help=f"longest wait for other requests to share a batch (default {d.max_wait_ms:g} ms)")
    net.add_argument("--batch-tokens", type=int, default=d.batch_tokens,
                     help=f"source tokens pooled into one batch (default {d.batch_tokens})")
    net.add_argument("--inflight-batches", type=int, help="pooled batches on the engine at once (default: its replicas)")
    add_cache_arguments(net)
    net.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=run)


def settings_from_args(args: argparse.Namespace):  # noqa: ANN201 - ServeSettings (imported lazily)
    from mt.serve.settings import ServeSettings

    return ServeSettings(
        host=args.host,
        port=args.port,
        max_chars=args.max_chars,
        max_texts=args.max_texts,
        max_body_bytes=args.max_body_bytes,
        queue_size=args.queue_size,
        request_timeout=args.request_timeout,
        max_wait_ms=args.max_wait_ms,
        batch_tokens=args.batch_tokens,
        inflight_batches=args.inflight_batches,
        rate_limit=args.rate_limit,
        api_keys_file=args.api_keys,
    )


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, or a :class:`UserError` naming the address."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UserError(f"--host {host}: cannot resolve: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    # proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on such sockets (without it, replies on a
    # kept-alive connection wait ~40 ms for a delayed ACK)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise UserError(f"--port {port}: cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from mt.serve.app import create_app
    except ImportError as exc:
        raise UserError(f"mt serve needs the serve extra ({exc.name} is missing): pip install 'newswire-mt[serve]'") from None

    config = config_from_args(args)
    settings = settings_from_args(args)
    cache = open_cache(args)
    app = create_app(config, settings, cache=cache)
    service = app.state.service
    sock = listen(settings.host, settings.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"

    logging.basicConfig(stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("mt.serve").setLevel(logging.INFO)

    class DrainingServer(uvicorn.Server):
        """uvicorn's server, telling the service to report not-ready as soon as a drain starts."""

        def handle_exit(self, sig: int, frame) -> None:  # noqa: ANN001 - signal handler signature
            service.draining = True
            super().handle_exit(sig, frame)

    server = DrainingServer(
        uvicorn.Config(
            app,
            log_config=None,
            log_level=args.log_level,
            access_log=args.log_level == "debug",
            timeout_graceful_shutdown=settings.graceful_timeout,
            lifespan="on",
        )
    )
    service.on_load_error = lambda exc: setattr(server, "should_exit", True)
    if not settings.loopback:
        print(f"mt serve: listening beyond this machine ({settings.host}); consider --api-keys", file=sys.stderr)
    print(f"mt serve: {url} (loading {config.model}; GET /readyz says when it is ready)", file=sys.stderr, flush=True)
    # uvicorn drains on SIGTERM/SIGINT and then re-raises the signal: a drained SIGTERM exits 0
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        if cache is not None:
            cache.close()
    if service.load_error is not None and not service.draining:
        exc = service.load_error
        raise exc if isinstance(exc, (UserError, ValueError)) or _is_user_error(exc) else UserError(
            f"cannot load model {config.model!r}: {exc}"
        )
    if not server.started:
        raise UserError(f"the server at {url} did not start (see the messages above)")
    print("mt serve: stopped", file=sys.stderr)
    return 0


def _is_user_error(exc: BaseException) -> bool:
    from mt.cli.common import user_errors

    return isinstance(exc, user_errors())
