#!/usr/bin/python3
"""A fault proxy in front of a real Odoo, for the real-Odoo crash harness (crash_harness_live.py).

It forwards every request to the upstream Odoo and, with seeded probabilities:
  - answers 503 without forwarding (an Odoo restarting),
  - resets the connection AFTER Odoo answered (the call committed, the client never hears it),
  - holds a record-creating call (`load`, `create`) for a while BEFORE forwarding it, so that the
    client can be killed meanwhile and the call reaches Odoo after its client is gone.
A held or forwarded call always completes upstream, whatever happened to its client.

    fault_proxy.py --listen 127.0.0.1:18069 --upstream http://127.0.0.1:8069 [--seed 1]
        [--p503 0.05] [--preset 0.08] [--phold 0.3] [--hold-ms 1500]

GET /__proxy__/state answers JSON: calls in flight upstream (by method), held calls, counts of each
fault, and the time of the last create that started upstream. POST /__proxy__/faults with a JSON object
changes the probabilities (e.g. {"p503": 0, "preset": 0, "phold": 0} for the final, fault-free run).
"""
import argparse
import http.client
import json
import random
import select
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATING = ("load", "create")


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.p = {"p503": args.p503, "preset": args.preset, "phold": args.phold}
        self.hold_ms = args.hold_ms
        self.inflight = {}
        self.held = 0
        self.counts = {"requests": 0, "http_503": 0, "reset_after": 0, "held": 0, "creates": 0,
                       "held_refused": 0, "held_to_gone_client": 0}
        self.last_create_started = 0.0

    def draw(self, name):
        with self.lock:
            return self.rng.random() < self.p[name]


def called_method(path, body):
    """The ORM method of a JSON-RPC or JSON-2 call ('' for anything else)."""
    if path.startswith("/json/2/"):
        return path.rstrip("/").rsplit("/", 1)[-1]
    if path in ("/jsonrpc", "/web/dataset/call_kw") or path.startswith("/web/dataset/call_kw/"):
        try:
            params = json.loads(body or b"{}").get("params", {})
        except ValueError:
            return ""
        if "method" in params and "model" in params:
            return params["method"]
        args = params.get("args", [])
        return args[4] if params.get("method") == "execute_kw" and len(args) > 4 else ""
    return ""


def make_handler(state, upstream):
    up = urllib.parse.urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection, like Odoo's Connection: close

        def log_message(self, *a):
            pass

        def reply(self, status, body, ctype="application/json", extra=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def client_gone(self):
            try:
                readable, _, _ = select.select([self.connection], [], [], 0)
                return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                return True

        def control(self, body):
            if self.command == "POST":
                with state.lock:
                    state.p.update({k: float(v) for k, v in json.loads(body or b"{}").items() if k in state.p})
            with state.lock:
                doc = {"inflight": dict(state.inflight), "held": state.held, "counts": dict(state.counts),
                       "p": dict(state.p), "last_create_started": state.last_create_started}
            self.reply(200, json.dumps(doc).encode())

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/__proxy__/"):
                return self.control(body)
            method = called_method(self.path, body)
            with state.lock:
                state.counts["requests"] += 1
            if state.draw("p503"):
                with state.lock:
                    state.counts["http_503"] += 1
                return self.reply(503, b"<html><body><p>Service Unavailable (fault proxy)</p></body></html>",
                                  "text/html", [("Retry-After", "1")])
            held = False
            if method in CREATING and state.draw("phold"):
                held = True
                with state.lock:
                    state.held += 1
                    state.counts["held"] += 1
                time.sleep(state.hold_ms / 1000.0 * (0.5 + state.rng.random()))
                with state.lock:
                    state.held -= 1
            with state.lock:
                state.inflight[method or "-"] = state.inflight.get(method or "-", 0) + 1
                if method in CREATING:
                    state.counts["creates"] += 1
                    state.last_create_started = time.time()
            try:
                conn = http.client.HTTPConnection(up.hostname, up.port or 80, timeout=600)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection", "content-length")}
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                resp_headers = [(k, v) for k, v in resp.getheaders()
                                if k.lower() not in ("connection", "content-length", "transfer-encoding")]
                conn.close()
            except OSError as e:
                data, resp = str(e).encode(), None
            finally:
                with state.lock:
                    state.inflight[method or "-"] -= 1
            if resp is None:
                return self.reply(502, data, "text/plain")
            if held and (resp.status >= 400 or b'"error"' in data or b'"type": "error"' in data):
                # Odoo refused a held create: typically the record was made meanwhile by the restarted
                # engine, and the external id's unique index (or the update it turned into) said no.
                with state.lock:
                    state.counts["held_refused"] += 1
            if method and state.draw("preset"):
                # Odoo answered (and committed): the client only sees its connection reset.
                with state.lock:
                    state.counts["reset_after"] += 1
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                except OSError:
                    pass
                self.close_connection = True
                return
            if held and self.client_gone():
                with state.lock:
                    state.counts["held_to_gone_client"] += 1
            try:
                self.send_response(resp.status)
                for k, v in resp_headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client is gone (killed): the call was still made

        do_GET = do_POST = do_PUT = do_DELETE = handle_any

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1:18069")
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--p503", type=float, default=0.05)
    ap.add_argument("--preset", type=float, default=0.08)
    ap.add_argument("--phold", type=float, default=0.3)
    ap.add_argument("--hold-ms", type=int, default=1500)
    args = ap.parse_args()
    host, port = args.listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), make_handler(State(args), args.upstream))
    server.daemon_threads = True
    print(f"fault_proxy: http://{host}:{server.server_address[1]} -> {args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
