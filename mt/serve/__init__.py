"""`mt serve`: an HTTP translation service (LibreTranslate-compatible) with micro-batching.

Needs the ``serve`` extra: ``pip install 'newswire-mt[serve]'``. ``create_app`` builds the ASGI app;
:class:`ServeSettings` holds the listening address and limits; :class:`MicroBatcher` pools work.
"""

from mt.serve.settings import ServeSettings

__all__ = ["ServeSettings", "create_app", "MicroBatcher"]


def __getattr__(name: str):  # noqa: ANN202 - lazy: importing settings needs no web framework
    if name == "create_app":
        from mt.serve.app import create_app

        return create_app
    if name == "MicroBatcher":
        from mt.serve.batcher import MicroBatcher

        return MicroBatcher
    raise AttributeError(name)
