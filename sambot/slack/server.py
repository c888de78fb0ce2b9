"""Serving the Bolt app: Starlette under uvicorn for HTTP, or Socket Mode.

Every request passes the guards of `sambot.slack.guard` first: a body limit on every
route, then, on the request URL, the signature on the raw bytes and the payload's shape
(`sambot.slack.envelopes`), so that Bolt only ever sees signed payloads it can read.
Bolt's sync `dispatch` runs in the thread pool (its sync Starlette handler would run it
on the event loop and serialise every request).
"""

import contextlib
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Callable

import uvicorn
from slack_bolt import App, BoltRequest
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from sambot.ops import logs
from sambot.ops.metrics import ACK_SECONDS, INTERACTIONS, exposition
from sambot.slack import envelopes
from sambot.slack.catalog import BOT_EVENTS, SHORTCUTS, SLASH_COMMANDS
from sambot.slack.errors import reference_code
from sambot.slack.guard import (
    BodyLimit,
    GuardedHttpProtocol,
    Refusals,
    SummariseInvalidHttp,
    signature_problem,
)
from sambot.slack.workload import BUSY, Admission, ProcessWorkload, VerifiedRequest, Workload

logger = logging.getLogger("sambot.http")

EVENTS_PATH = "/slack/events"
ACK_SWITCH_INTERVAL_S = 0.0005


def acked_at_once(payload: dict) -> bool:
    """Whether the edge answers this request itself and runs its listener after.

    sambot's listeners ack commands, shortcuts, buttons and events empty, so the ack need not
    wait for them (`sambot.slack.workload`). Only entries sambot offers are answered so: the
    rest reach Bolt, which says 404 when no listener matches. View submissions and option
    loads always wait for their listener: their ack carries its answer.
    """
    kind = envelopes.kind_of(payload)
    if kind == "command":
        return payload["command"] in OFFERED_COMMANDS
    if kind in ("shortcut", "message_action"):
        return payload["callback_id"] in OFFERED_SHORTCUTS
    if kind == "event_callback":
        return payload["event"]["type"] in BOT_EVENTS
    return kind == "block_actions"


OFFERED_COMMANDS = {command.command for command in SLASH_COMMANDS}
OFFERED_SHORTCUTS = {shortcut.callback_id for shortcut in SHORTCUTS}

# uvicorn's limits, set on purpose (see README, "The public endpoint"):
SERVER_LIMITS = {
    # The httptools protocol (a C parser: about a quarter less CPU per ack than h11), with a
    # deadline and a 16 kB limit on each request head (GuardedHttpProtocol).
    "http": GuardedHttpProtocol,
    # Close a keep-alive connection idle this long after a response (uvicorn's default).
    "timeout_keep_alive": 5,
    # Connections plus requests in progress; beyond it new requests get 503 at once,
    # before the process runs out of file descriptors.
    "limit_concurrency": 1000,
}


def _labels(payload: dict) -> tuple[str, str | None, str | None]:
    """(kind, team, command or callback) of a parsed payload, for logs and metrics."""
    kind = envelopes.kind_of(payload) or "unknown"
    team = payload.get("team_id") or (payload.get("team") or {}).get("id")
    what = (
        payload.get("command")
        or payload.get("callback_id")
        or (payload.get("view") or {}).get("callback_id")
        or (payload.get("event") or {}).get("type")
        or ((payload.get("actions") or [{}])[0]).get("action_id")
    )
    return kind, team, what


def build_web_app(
    app: App,
    signing_secret: str,
    refusals: Refusals | None = None,
    workload: Workload | ProcessWorkload | None = None,
    readiness: Callable[[], str | None] | None = None,
) -> BodyLimit:
    """The request URL, `/healthz` (the process answers), `/readyz` (the workload or
    `readiness` says what keeps it from serving, if anything) and `/metrics`."""
    refusals = refusals or Refusals()
    workload = workload or Workload(app)

    def problem() -> str | None:
        return workload.problem() or (readiness() if readiness else None)

    verifier = SignatureVerifier(signing_secret)
    admission = Admission(workload)

    async def events(request: Request) -> Response:
        started = time.perf_counter()
        received_at = time.time()
        logs.request_id.set(os.urandom(6).hex())  # 12 hex digits, a third of uuid4's cost
        kind, outcome = "unparsed", "refused"
        response: Response | None = None
        try:
            response, kind, outcome = await _events(request, received_at)
            return response
        finally:
            elapsed = time.perf_counter() - started
            ACK_SECONDS.labels(kind).observe(elapsed)
            INTERACTIONS.labels(kind, outcome).inc()
            # Refusals are counted and summarised (Refusals), not logged one by one.
            logger.log(
                logging.DEBUG if outcome == "refused" else logging.INFO,
                "%s %s",
                kind,
                outcome,
                extra={
                    "kind": kind,
                    "outcome": outcome,
                    "status": response.status_code if response is not None else 500,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )

    async def _events(request: Request, received_at: float) -> tuple[Response, str, str]:
        body = await request.body()
        problem = signature_problem(verifier, body, request.headers)
        content_type = request.headers.get("content-type")
        if problem:
            if envelopes.is_ssl_check(body, content_type):
                return Response(status_code=200), "ssl_check", "ok"
            refusals.record(problem)
            response = PlainTextResponse("invalid request signature", status_code=401)
            return response, "unsigned", "refused"
        try:
            payload = envelopes.parse(body, content_type)
        except envelopes.Unsupported as exc:
            refusals.record("415 unsupported content type")
            response = PlainTextResponse(f"unsupported media type: {exc}", status_code=415)
            return response, "unsupported", "refused"
        except envelopes.Malformed as exc:
            code = reference_code()
            logger.warning("[ref %s] 400 malformed Slack request: %s", code, exc)
            response = PlainTextResponse(f"malformed request (ref {code})", status_code=400)
            return response, "malformed", "refused"
        kind, team, what = _labels(payload)
        logs.team.set(team)
        logs.command.set(what)
        # The raw query string: Starlette's request.url would build the whole URL first.
        query = request.scope["query_string"].decode("latin-1")
        verified = VerifiedRequest(payload, query, dict(request.headers), received_at)
        if acked_at_once(payload):
            if "command" in payload and not await admission.enter():
                refusals.record("shed: busy")
                busy = JSONResponse({"response_type": "ephemeral", "text": BUSY})
                return busy, kind, "busy"
            workload.submit(verified)
            return Response(status_code=200), kind, "acked"
        response = await run_in_threadpool(app.dispatch, verified.bolt_request())
        outcome = "answered" if response.status < 400 else f"http_{response.status}"
        return to_starlette_response(response), kind, outcome

    @contextlib.asynccontextmanager
    async def lifespan(_web):
        yield
        # uvicorn has stopped accepting and answered the requests in progress.
        logger.info("no longer accepting requests; finishing the work already acknowledged")
        await run_in_threadpool(workload.drain)
        logger.info("stopped")
        logs.flush()

    web = Starlette(
        routes=[Route(EVENTS_PATH, events, methods=["POST"]), *_common_routes(app, problem)],
        lifespan=lifespan,
    )
    return BodyLimit(web, refusals)


def build_install_web_app(app: App, refusals: Refusals | None = None) -> BodyLimit:
    """The install pages and the health check alone: Socket Mode receives everything else."""
    return BodyLimit(Starlette(routes=_common_routes(app)), refusals or Refusals())


async def _health(_request: Request) -> Response:
    return JSONResponse({"ok": True})


async def _metrics(_request: Request) -> Response:
    body, content_type = exposition()
    return Response(body, media_type=content_type)


def _common_routes(app: App, readiness: Callable[[], str | None] | None = None) -> list[Route]:
    """`/healthz`, `/readyz`, `/metrics`, and the install pages when the app has them."""

    async def ready(_request: Request) -> Response:
        problem = await run_in_threadpool(readiness) if readiness else None
        if problem:
            return JSONResponse({"ok": False, "problem": problem}, status_code=503)
        return JSONResponse({"ok": True})

    routes = [
        Route("/healthz", _health, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        Route("/metrics", _metrics, methods=["GET"]),
    ]
    flow = app.oauth_flow
    if flow is None:
        return routes

    # Install pages: GETs from a browser, unsigned by nature (the OAuth state, kept in the
    # database and a cookie, is what ties the redirect to the install it started).
    async def install(request: Request) -> Response:
        bolt_request = BoltRequest(body="", query=request.url.query, headers=dict(request.headers))
        handler = (
            flow.handle_installation
            if request.url.path == flow.install_path
            else flow.handle_callback
        )
        return to_starlette_response(await run_in_threadpool(handler, bolt_request))

    routes.append(Route(flow.install_path, install, methods=["GET"]))
    routes.append(Route(flow.redirect_uri_path, install, methods=["GET"]))
    return routes


def _summarise_uvicorn_warnings(refusals: Refusals) -> None:
    uvicorn_errors = logging.getLogger("uvicorn.error")
    for old in [f for f in uvicorn_errors.filters if isinstance(f, SummariseInvalidHttp)]:
        uvicorn_errors.removeFilter(old)
    uvicorn_errors.addFilter(SummariseInvalidHttp(refusals))


# On SIGTERM uvicorn stops accepting and waits this long for requests in progress.
GRACEFUL_SHUTDOWN_S = 20


def serve_http(
    app: App,
    signing_secret: str,
    *,
    host: str = "0.0.0.0",
    port: int = 3000,
    readiness: Callable[[], str | None] | None = None,
    workload: Workload | ProcessWorkload | None = None,
) -> None:
    """Until SIGTERM or Ctrl-C: then no new connection is accepted, the requests in
    progress are answered, and the work after their acks is finished before returning."""
    refusals = Refusals()
    workload = workload or Workload(app)
    web = build_web_app(app, signing_secret, refusals, workload, readiness)
    settle_for_acks(refusals)
    # uvicorn handles SIGTERM itself, then raises it again for the handler it found: let
    # that one be a no-op, so the process exits 0 once the work is done.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        uvicorn.Server(_server_config(web, host=host, port=port)).run()
    finally:
        # Done in the lifespan's shutdown, unless a second Ctrl-C forced uvicorn out before
        # it (uvicorn then raises KeyboardInterrupt again).
        workload.drain()


def serve_http_processes(processes: int, *, host: str = "0.0.0.0", port: int = 3000) -> None:
    """`processes` web processes on one port, each with its own GIL, so that the work after
    the acks has more than one core. uvicorn's supervisor starts each afresh (each builds its
    own app: `sambot.web_process`), starts it again if it dies, and on SIGTERM or Ctrl-C
    stops them all, each as `serve_http` stops."""
    from uvicorn.supervisors import Multiprocess

    config = _server_config(
        "sambot.web_process:web_app", factory=True, workers=processes, host=host, port=port
    )
    listening = config.bind_socket()
    try:
        Multiprocess(config, sockets=[listening]).run()
    finally:
        listening.close()


def _server_config(app, *, host: str, port: int, **more) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        log_config=None,  # sambot's logging (sambot.ops.logs), not uvicorn's own
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        **SERVER_LIMITS,
        **more,
    )


def settle_for_acks(refusals: Refusals) -> None:
    """What a web process sets once its app is built, before it serves."""
    _summarise_uvicorn_warnings(refusals)
    # Start-up objects live for the whole process: keep the collector from rescanning them.
    gc.freeze()
    # The event loop answers acks while a few threads do the work after them, all under one
    # GIL: hand it over every 0.5 ms instead of 5 ms, so an ack never waits long for it.
    sys.setswitchinterval(ACK_SWITCH_INTERVAL_S)


def serve_socket_mode(app: App, app_token: str, *, port: int = 3000) -> None:
    from sambot.slack import socket_mode

    if app.oauth_flow is not None:
        # Several workspaces: the install pages still need a web server.
        import threading

        config = uvicorn.Config(
            build_install_web_app(app),
            host="0.0.0.0",
            port=port,
            log_level="info",
            access_log=False,
            **SERVER_LIMITS,
        )
        threading.Thread(target=uvicorn.Server(config).run, name="install", daemon=True).start()
    socket_mode.serve_socket_mode(app, app_token)


class BackgroundServer:
    """The same web app under uvicorn on a loopback port, in a thread (tests, shell, bench)."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        refusals: Refusals | None = None,
    ):
        import threading

        self.refusals = refusals or Refusals()
        self.workload = Workload(app)
        config = uvicorn.Config(
            build_web_app(app, signing_secret, self.refusals, self.workload),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            **SERVER_LIMITS,
        )
        _summarise_uvicorn_warnings(self.refusals)
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
        return f"{self.base_url}{EVENTS_PATH}"

    @property
    def base_url(self) -> str:
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
