"""The web process's CPU per acknowledged `/touchpoint`, by HTTP protocol and hand-off.

sambot's web app (`sambot.slack.server.build_web_app`: body limit, signature, parsing,
the door, the ack) runs under uvicorn in a process of its own, with a workload that does
no work: the CPU measured is the edge's alone, for each of uvicorn's HTTP protocols
(h11, pure Python; httptools, a C parser: `sambot.slack.guard.GuardedHttpProtocol` when
it is sambot's), and for two hand-offs of the acknowledged request: none, and a
multiprocessing queue read by another process (as `ProcessWorkload` did), and a socket
written by the event loop (as it does now). Signed
requests come over 4 kept-alive connections, one at a time on each, on an otherwise
idle machine.

`.venv/bin/python bench/edge_bench.py [--requests 6000] [--runs 2]`
"""

import argparse
import contextlib
import hashlib
import hmac
import http.client
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from queue import Empty

from sambot.slack.workload import _Outbox

SECRET = "edge-bench-secret"
PROTOCOLS = {"h11": "h11", "httptools": None}  # None: sambot's own (SERVER_LIMITS)


def drain_queue(queue, parent: int) -> None:
    while os.getppid() == parent:
        with contextlib.suppress(Empty):
            queue.get(timeout=1)


def drain_socket(sock: socket.socket) -> None:
    while sock.recv(1 << 16):  # until the web process's end closes
        pass


class NoWork:
    """A workload that runs nothing, but hands each request to another process: through a
    multiprocessing queue (ProcessWorkload until 2026-12-02) or a socket written by the
    event loop (`_Outbox`, ProcessWorkload's since)."""

    most_ahead, ahead = 1_000_000, 0

    def __init__(self, hand_off: str):
        self.queue = self.outbox = None
        spawn = multiprocessing.get_context("spawn")
        if hand_off == "queue":
            self.queue = spawn.Queue()
            spawn.Process(target=drain_queue, args=(self.queue, os.getpid()), daemon=True).start()
        elif hand_off == "socket":
            ours, theirs = socket.socketpair()
            spawn.Process(target=drain_socket, args=(theirs,), daemon=True).start()
            theirs.close()
            self.outbox = _Outbox(ours)

    def problem(self) -> None:
        return None

    def submit(self, request) -> None:
        item = (request.body, request.query, request.headers, 0.0, {})
        if self.queue is not None:
            self.queue.put(item)
        elif self.outbox is not None:
            self.outbox.send(item)

    def drain(self) -> None:
        pass


def serve(protocol: str, hand_off: str, port: int) -> None:
    import uvicorn
    from slack_bolt import App

    from sambot.slack import server
    from sambot.slack.guard import Refusals

    app = App(token="xoxb-edge", signing_secret=SECRET, token_verification_enabled=False)
    web = server.build_web_app(app, SECRET, Refusals(), NoWork(hand_off))
    limits = dict(server.SERVER_LIMITS)
    if PROTOCOLS[protocol]:
        limits["http"] = PROTOCOLS[protocol]
        limits.pop("h11_max_incomplete_event_size", None)
    server.settle_for_acks(Refusals())
    uvicorn.run(web, host="127.0.0.1", port=port, log_level="warning", lifespan="off", **limits)


def signed_command(connection: http.client.HTTPConnection) -> None:
    timestamp = str(int(time.time()))
    body = urllib.parse.urlencode(
        {
            "command": "/touchpoint",
            "text": "",
            "team_id": "T0001",
            "user_id": "U1",
            "channel_id": "C1",
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/response",
            "api_app_id": "A1",
        }
    )
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }
    connection.request("POST", "/slack/events", body, headers)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}")


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(protocol: str, hand_off: str, requests: int, port: int) -> float:
    """The web process's CPU ms per ack."""
    server = subprocess.Popen([sys.executable, __file__, "--serve", protocol, hand_off, str(port)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connections = [http.client.HTTPConnection("127.0.0.1", port) for _ in range(4)]
                for connection in connections:
                    for _ in range(100):  # warm up
                        signed_command(connection)
                break
            except ConnectionRefusedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        before = process_cpu(server.pid)
        senders = [
            threading.Thread(target=lambda c=c: [signed_command(c) for _ in range(requests // 4)])
            for c in connections
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        return 1000 * (process_cpu(server.pid) - before) / (requests // 4 * 4)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        protocol, hand_off, port = args.serve
        serve(protocol, hand_off, int(port))
        return
    print(f"loadavg {os.getloadavg()[0]:.1f}, {args.requests} requests a run")
    print("| protocol | hand-off | run | web process CPU per ack (ms) |")
    print("|---|---|---:|---:|")
    port = 39_400
    for run in range(1, args.runs + 1):
        for protocol in PROTOCOLS:
            for hand_off in ("none", "queue", "socket"):
                port += 1
                cpu = measure(protocol, hand_off, args.requests, port)
                print(f"| {protocol} | {hand_off} | {run} | {cpu:.3f} |", flush=True)


if __name__ == "__main__":
    main()
