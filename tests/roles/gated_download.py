#!/usr/bin/env python3
"""Serve one file once, doing something first: the "recording started during the download" case of the
antmedia_server role's upgrade, made deterministic (no timing).

    python3 tests/roles/gated_download.py FILE --bind ADDRESS --port-file PATH --before-post URL [--timeout S]

Listens on ADDRESS (a free port, written to PORT_FILE once listening). At the first GET it POSTs to each
--before-post URL (e.g. the stand-in's Circle record button) and checks that each answers 2xx with
{"success": true}, then sends FILE: so the recording runs before the role's download ends, and hence before
its restart guard. Exits after that one download (or after TIMEOUT seconds without one); prints what it did.
"""
import argparse
import http.server
import json
import os
import sys
import threading
import urllib.request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--before-post", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    done = threading.Event()
    report = {"before": [], "served": False}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server name)
            if done.is_set():
                self.send_error(410, "served already")
                return
            for url in args.before_post:
                request = urllib.request.Request(url, data=b"{}", method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=60) as answer:
                    body = json.loads(answer.read().decode() or "{}")
                report["before"].append({"url": url, "answer": body})
                if not body.get("success"):
                    self.send_error(500, "the action before the download failed")
                    done.set()
                    return
            with open(args.file, "rb") as handle:
                data = handle.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            report["served"] = True
            done.set()

        def log_message(self, *_args):
            pass

    server = http.server.HTTPServer((args.bind, 0), Handler)
    with open(args.port_file + ".tmp", "w") as handle:
        handle.write(str(server.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    finished = done.wait(args.timeout)
    server.shutdown()
    print(json.dumps(report))
    return 0 if finished and report["served"] else 1


if __name__ == "__main__":
    sys.exit(main())
