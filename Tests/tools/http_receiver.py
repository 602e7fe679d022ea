#!/usr/bin/env python3
"""A loopback HTTP receiver for the alert tests: records every request it gets and answers 500
to the first --fail-first of them, 200 after. Usage:
    http_receiver.py PORT_FILE LOG_FILE [--fail-first N]
It binds 127.0.0.1 on a free port, writes the port to PORT_FILE once it listens, and appends one
JSON line per request to LOG_FILE: {"method", "path", "content_type", "body", "status"}.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file = sys.argv[1], sys.argv[2]
fail_first = int(sys.argv[sys.argv.index("--fail-first") + 1]) if "--fail-first" in sys.argv else 0
seen = 0


class Receiver(BaseHTTPRequestHandler):
    def handle_one(self):
        global seen
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        seen += 1
        status = 500 if seen <= fail_first else 200
        with open(log_file, "a") as log:
            log.write(json.dumps({"method": self.command, "path": self.path, "content_type": self.headers.get("Content-Type"),
                                  "body": body, "status": status}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_PUT = handle_one

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
import os
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
