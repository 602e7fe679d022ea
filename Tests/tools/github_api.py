#!/usr/bin/env python3
"""A loopback stand-in for the GitHub REST endpoints `hhbench comment` uses, as GitHub's
documentation describes them (https://docs.github.com/en/rest/issues/comments):

    GET   /repos/{owner}/{repo}/issues/{number}/comments?per_page=N&page=P   list, oldest first
    POST  /repos/{owner}/{repo}/issues/{number}/comments   {"body": ...}   201, the comment
    PATCH /repos/{owner}/{repo}/issues/comments/{id}       {"body": ...}   200, the comment

Requests need `Authorization: Bearer TOKEN` (else 401 "Bad credentials"). With --forbid-writes,
POST and PATCH answer 403 "Resource not accessible by integration". --preload N adds N comments by
other people first, so listing takes pages. Every request is logged (method, path, whether the
token was right) as a JSON line; the comments are written to STATE after each change.

    github_api.py PORTFILE LOG STATE TOKEN [--forbid-writes] [--preload N]
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

port_file, log_file, state_file, token = sys.argv[1:5]
forbid = "--forbid-writes" in sys.argv
preload = int(sys.argv[sys.argv.index("--preload") + 1]) if "--preload" in sys.argv else 0
comments = {}  # (owner, repo, number) -> list of comments
next_id = [1000]


def new_comment(key, body, user):
    next_id[0] += 1
    comment = {"id": next_id[0], "body": body, "user": {"login": user},
               "html_url": f"https://github.example/{key[0]}/{key[1]}/pull/{key[2]}#issuecomment-{next_id[0]}"}
    comments.setdefault(key, []).append(comment)
    return comment


def save():
    with open(state_file, "w") as handle:
        json.dump([{"issue": "/".join(map(str, key)), **comment} for key, found in comments.items() for comment in found], handle)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self, method):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        authorised = self.headers.get("Authorization") == f"Bearer {token}"
        with open(log_file, "a") as handle:
            handle.write(json.dumps({"method": method, "path": url.path, "query": url.query, "authorised": authorised,
                                     "accept": self.headers.get("Accept"), "body": body}) + "\n")
        if not authorised:
            return self.answer(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        listing = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/(\d+)/comments", url.path)
        single = re.fullmatch(r"/repos/([^/]+)/([^/]+)/issues/comments/(\d+)", url.path)
        if listing and method == "GET":
            key = (listing.group(1), listing.group(2), int(listing.group(3)))
            query = parse_qs(url.query)
            per_page = min(int(query.get("per_page", ["30"])[0]), 100)
            page = int(query.get("page", ["1"])[0])
            found = comments.get(key, [])
            return self.answer(200, found[(page - 1) * per_page:page * per_page])
        if listing and method == "POST":
            if forbid:
                return self.answer(403, {"message": "Resource not accessible by integration"})
            key = (listing.group(1), listing.group(2), int(listing.group(3)))
            comment = new_comment(key, json.loads(body)["body"], "github-actions[bot]")
            save()
            return self.answer(201, comment)
        if single and method == "PATCH":
            if forbid:
                return self.answer(403, {"message": "Resource not accessible by integration"})
            for key, found in comments.items():
                for comment in found:
                    if comment["id"] == int(single.group(3)) and key[:2] == (single.group(1), single.group(2)):
                        comment["body"] = json.loads(body)["body"]
                        save()
                        return self.answer(200, comment)
            return self.answer(404, {"message": "Not Found"})
        return self.answer(404, {"message": "Not Found"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
for index in range(preload):
    new_comment(("octo-org", "sdk", 7), f"a reviewer's comment {index}", "reviewer")
save()
with open(port_file, "w") as handle:
    handle.write(str(server.server_address[1]))
server.serve_forever()
