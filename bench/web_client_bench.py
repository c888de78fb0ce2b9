"""One Web API call's cost to the app: slack-sdk's WebClient (a new connection per call,
through urllib) against sambot's PooledWebClient (kept-alive connections). Then the
transport alone, one thread: a POST over a kept-alive `http.client` connection against
`KeptConnections` (httptools), best of 5 alternations.

The stand-in runs in its own process, so the CPU measured is the caller's only, over
plain HTTP and over HTTPS (as Slack answers: a self-signed certificate made with
openssl for the run).
`.venv/bin/python bench/web_client_bench.py [--calls 2000] [--threads 4] [--runs 3]`
"""

import argparse
import http.client
import os
import ssl
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slack_sdk import WebClient
from standin_process import StandInProcess

from sambot.slack.client import KeptConnections, build_web_client

TOKEN = "xoxb-bench"


def measure(client: WebClient, calls: int, threads: int) -> tuple[float, float]:
    """(caller's CPU ms per call, wall ms per call) for `calls` chat.postMessage."""

    def post(n: int) -> None:
        client.chat_postMessage(channel="C1", text=f"call {n}")

    cpu, wall = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(post, range(calls)))
    return (
        1000 * (time.process_time() - cpu) / calls,
        1000 * (time.perf_counter() - wall) / calls,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"loadavg {os.getloadavg()[0]:.1f}, {args.calls} calls, {args.threads} threads")
    print("| transport | client | run | CPU per call (ms) | wall per call (ms) |")
    print("|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = f"{tmp}/cert.pem", f"{tmp}/key.pem"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
                *("-keyout", key, "-out", cert),
            ],
            check=True,
            capture_output=True,
        )
        for transport, tls_files in (("HTTP", None), ("HTTPS", (cert, key))):
            trust = ssl.create_default_context(cafile=cert) if tls_files else None
            standin = StandInProcess(TOKEN, "T0001", [], [("C1", "accounts")], tls_files)
            clients = {
                "WebClient (urllib)": lambda url, trust: WebClient(TOKEN, url, ssl=trust),
                "PooledWebClient": pooled,
            }
            for run in range(1, args.runs + 1):
                for name, make in clients.items():
                    client = make(standin.base_url, trust)
                    measure(client, 100, args.threads)  # warm up
                    standin.reset()
                    cpu, wall = measure(client, args.calls, args.threads)
                    print(f"| {transport} | {name} | {run} | {cpu:.2f} | {wall:.2f} |")
            if tls_files is None:
                transport_alone = measure_transport(standin.base_url, args.calls)
            standin.stop()
    print("\n| transport alone, one thread, plain HTTP | CPU per POST (µs) |")
    print("|---|---:|")
    for name, micros in transport_alone.items():
        print(f"| {name} | {micros:.0f} |")


def measure_transport(base_url: str, calls: int) -> dict[str, float]:
    """CPU (µs) of one POST and its answer read whole, each way, best of 5 alternations."""
    url = f"{base_url.rstrip('/')}/chat.postMessage"
    parts = urlsplit(url)
    body = b'{"channel": "C1", "text": "hello"}'
    headers = {
        "Content-Type": "application/json;charset=utf-8",
        "Authorization": f"Bearer {TOKEN}",
        "User-Agent": "Python slackclient",
    }
    kept = http.client.HTTPConnection(parts.netloc)

    def with_http_client() -> None:
        kept.request("POST", parts.path, body, headers)
        answer = kept.getresponse()
        answer.read()
        assert answer.status == 200

    pool = KeptConnections()

    def with_kept_connections() -> None:
        assert pool.post(url, body, headers, timeout=10).status == 200

    ways = {
        "`http.client`, a kept-alive connection (before)": with_http_client,
        "`KeptConnections` (httptools), sambot's": with_kept_connections,
    }
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(5):
        for name, post in ways.items():
            for _ in range(100):  # warm up
                post()
            started = time.thread_time()
            for _ in range(calls):
                post()
            best[name] = min(best[name], (time.thread_time() - started) / calls * 1e6)
    kept.close()
    return best


def pooled(base_url: str, trust: ssl.SSLContext | None) -> WebClient:
    client = build_web_client(TOKEN, base_url)
    if trust is not None:
        client.pool = KeptConnections(8, ssl_context=trust)
    return client


if __name__ == "__main__":
    main()
