"""Oversized bodies against `sambot run` in its own process: 413, and its memory stays flat.

The server's peak resident memory (VmHWM in /proc) is read before and after 64 MiB bodies,
declared and chunked, several at once; the peak may not grow by more than 32 MB.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from sambot.localslack.server import SlackStandIn

ROOT = Path(__file__).resolve().parents[2]
MiB = 2**20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@pytest.fixture
def sambot_run(tmp_path):
    if not Path("/proc/self/status").exists():
        pytest.skip("reads memory from /proc (Linux)")
    with SlackStandIn() as standin:
        port = free_port()  # after the stand-in took its own port, so never the same
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": standin.bot_token,
            "SLACK_SIGNING_SECRET": "memory-test-secret",
            "SLACK_API_URL": standin.base_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'sambot.db'}",
            "PORT": str(port),
        }
        env.pop("SLACK_APP_TOKEN", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "sambot", "run", "--no-scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise AssertionError("sambot run did not start") from None
                    time.sleep(0.1)
            assert process.poll() is None, "sambot run exited (its port taken?)"
            yield process, port
        finally:
            process.terminate()
            output = process.communicate(timeout=10)[0].decode()
            assert "Traceback" not in output, output


def send_huge(port: int, *, chunked: bool, size: int = 64 * MiB) -> int:
    """POST `size` bytes of junk at full speed; return the status the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        head = "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {size}\r\n"
        sock.sendall(head.encode() + b"\r\n")
        block = b"x" * MiB
        try:
            for _ in range(size // MiB):
                sock.sendall(f"{MiB:x}\r\n".encode() + block + b"\r\n" if chunked else block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed part way: as it should be
        answer = sock.recv(64)
    return int(answer.split(b" ", 2)[1])


def test_64_mib_bodies_get_413_and_the_servers_memory_stays_flat(sambot_run):
    process, port = sambot_run
    # One small junk request first, so the code paths are loaded before the baseline.
    assert httpx.post(f"http://127.0.0.1:{port}/slack/events", content=b"{}").status_code == 401
    peak_before = memory_kib(process.pid, "VmHWM")

    statuses = []
    threads = [
        threading.Thread(target=lambda c=chunked: statuses.append(send_huge(port, chunked=c)))
        for chunked in (False, True, False, True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [413] * 4
    growth_mb = (memory_kib(process.pid, "VmHWM") - peak_before) / 1024
    assert growth_mb < 32, f"peak memory grew by {growth_mb:.1f} MB"
    # Still serving.
    assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"ok": True}
