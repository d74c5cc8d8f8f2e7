"""A stand-in SMS gateway for tests and benchmarks: a real HTTP server on loopback that logs every
request (arrival time, idempotency key, number), answers as scripted per number, and, like a real
gateway, recognises a resend of the same idempotency key instead of sending it again."""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StandIn:
    url: str = ""
    # Per number, the HTTP codes to answer in turn (then 200): {"13800000001": [503, 200]}.
    script: dict[str, list[int]] = field(default_factory=dict)
    # Every 1 in `fail_every` first sends answers 503 (0: never).
    fail_every: int = 0
    # Seconds each answer takes (a slow gateway: a batch long enough to kill a worker in).
    delay: float = 0.0
    requests: list[tuple[float, str, str, int]] = field(default_factory=list)  # (time, key, to, code)
    delivered: dict[str, str] = field(default_factory=dict)  # key -> number, each key once
    connections: set[tuple[str, int]] = field(default_factory=set)  # client addresses seen
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliveries_to(self, number: str) -> int:
        return sum(1 for to in self.delivered.values() if to == number)

    def per_second(self) -> list[int]:
        counts: dict[int, int] = {}
        for at, *_rest in self.requests:
            counts[int(at)] = counts.get(int(at), 0) + 1
        return list(counts.values())


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real gateway
        # The headers and the body go out in two writes: without TCP_NODELAY the second waits for
        # the client's delayed ACK (40 ms) on a kept-alive connection.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            arrived = time.time()
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            key = self.headers.get("Idempotency-Key", "")
            to = body.get("to", "")
            with standin.lock:
                standin.connections.add(self.client_address[:2])
                if key in standin.delivered:
                    code = 200  # a resend: the gateway answers as before and sends nothing
                else:
                    turns = standin.script.get(to)
                    code = turns.pop(0) if turns else 200
                    n = len(standin.requests) + 1
                    if code == 200 and standin.fail_every and n % standin.fail_every == 0:
                        code = 503
                    if code == 200:
                        standin.delivered[key] = to
                standin.requests.append((arrived, key, to, code))
            if standin.delay:
                time.sleep(standin.delay)
            answer = json.dumps({"id": f"p-{key}"} if code == 200 else {"error": "refused"}).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def gateway_standin() -> Iterator[StandIn]:
    standin = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    server.daemon_threads = True
    standin.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
