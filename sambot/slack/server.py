"""Serving the Bolt app: Starlette under uvicorn for HTTP, or Socket Mode.

Bolt's sync Starlette handler calls `dispatch` on the event loop, which serialises every
request; here `dispatch` runs in the thread pool instead, using the adapter's own
request/response converters.
"""

import gc
import logging

import uvicorn
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def build_web_app(app: App) -> Starlette:
    async def events(request: Request):
        body = await request.body()
        response = await run_in_threadpool(app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    async def health(_request: Request):
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route(EVENTS_PATH, events, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


def serve_http(app: App, *, host: str = "0.0.0.0", port: int = 3000) -> None:
    web = build_web_app(app)
    # Start-up objects live for the whole process: keep the collector from rescanning them.
    gc.freeze()
    uvicorn.run(web, host=host, port=port, log_level="info", access_log=False)


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    SocketModeHandler(app, app_token).start()


class BackgroundServer:
    """The same web app under uvicorn on a loopback port, in a thread (tests, shell, bench)."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0):
        import threading

        config = uvicorn.Config(
            build_web_app(app),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="sambot-http", daemon=True)

    def start(self) -> "BackgroundServer":
        import time

        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the HTTP server did not start")
            time.sleep(0.01)
        return self

    @property
    def url(self) -> str:
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}{EVENTS_PATH}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
