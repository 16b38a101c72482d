#!/usr/bin/env python3
"""A stand-in Odoo for ./scripts/demo until the emulator lands: answers /web/webclient/version_info
with the body a real Odoo 18 gave (tests/data), but fails the first call with 503 + Retry-After so the
demo shows the retry. Listens on 127.0.0.1, an ephemeral port, written to the file named by argv[1]."""
import http.server
import json
import sys
import threading

ODOO18_VERSION_INFO = {
    "jsonrpc": "2.0",
    "id": None,
    "result": {
        "server_version": "18.0",
        "server_version_info": [18, 0, 0, "final", 0, ""],
        "server_serie": "18.0",
        "protocol_version": 1,
    },
}


class Handler(http.server.BaseHTTPRequestHandler):
    calls = 0
    lock = threading.Lock()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        with Handler.lock:
            Handler.calls += 1
            first = Handler.calls == 1
        if self.path != "/web/webclient/version_info":
            self.send_error(404)
            return
        if first:
            body = b"<html><body>Service Unavailable</body></html>"
            self.send_response(503)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Type", "text/html")
        else:
            answer = dict(ODOO18_VERSION_INFO, id=request.get("id"))
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("stand-in odoo: " + (fmt % args) + "\n")


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
