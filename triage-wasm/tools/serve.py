#!/usr/bin/env python3
"""Serves a directory over HTTP, sending precompressed copies when the browser takes them.

    python3 triage-wasm/tools/serve.py [--port 8000] [--bind 127.0.0.1] DIR

For a request of FILE it sends FILE.br (Content-Encoding: br) when the browser
accepts brotli, else FILE.gz (gzip), else FILE itself, always with the
Content-Type of FILE. The copies come from triage-wasm/tools/precompress.mjs;
nothing is compressed here. A copy older than its original (the original was
rebuilt since) is ignored, so a stale copy is never sent.

Every response may be cached but must be revalidated (Cache-Control:
no-cache): the ETag comes from the file's modification time and size, so an
unchanged file costs a 304 and no body. Python standard library only.
"""

import argparse
import email.utils
import errno
import mimetypes
import os
import posixpath
import shutil
import signal
import socket
import sys
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The types that matter for the page; anything else falls back to mimetypes.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".triage": "application/octet-stream",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    # Asked for by name (an archive, not a copy of a page file): the bytes as they are.
    ".gz": "application/gzip",
    ".br": "application/octet-stream",
}
# Preferred first: brotli is smaller than gzip for every file of the page.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
COPY_SUFFIXES = tuple(suffix for _, suffix in ENCODINGS)
# precompress.mjs gives each copy its original's time, which loses the
# nanoseconds on the way: within a millisecond counts as the same time.
MTIME_SLACK_NS = 1_000_000


def content_type(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in CONTENT_TYPES:
        return CONTENT_TYPES[ext]
    guessed, _ = mimetypes.guess_type(path, strict=False)
    return guessed or "application/octet-stream"


def accepted_encodings(header):
    """The content codings that an Accept-Encoding header allows (q > 0)."""
    weights = {}
    for item in (header or "").split(","):
        name, *params = [part.strip() for part in item.split(";")]
        if not name:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name.lower()] = weight
    star = weights.get("*", 0.0)
    return {coding for coding, _ in ENCODINGS if weights.get(coding, star) > 0}


def etag_matches(header, etag):
    """If-None-Match uses the weak comparison: W/"x" matches "x"."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


class Handler(BaseHTTPRequestHandler):
    server_version = "triage-serve"
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would

    # What the log line reports; reset for each request of a kept-alive connection.
    encoding = "-"
    body_size = "-"

    def parse_request(self):
        self.encoding = self.body_size = "-"
        return super().parse_request()

    def __getattr__(self, name):
        # BaseHTTPRequestHandler answers an unknown method with 501; every
        # method other than GET and HEAD gets 405 here instead.
        if name.startswith("do_"):
            return self.refuse_method
        raise AttributeError(name)

    def refuse_method(self):
        # Its body, if any, is not read: close rather than parse it as the next request.
        self.close_connection = True
        self.fail(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD", "Connection": "close"})

    def fail(self, status, headers=None, send_body=True):
        body = f"{status.value} {status.phrase}\n".encode()
        self.encoding = "-"
        self.body_size = len(body)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self):
        self.serve(send_body=True)

    def do_HEAD(self):
        self.serve(send_body=False)

    # --- finding the file -----------------------------------------------------

    def resolve(self):
        """The file a request names, as a real path inside the root; or None (404); or a redirect."""
        target = self.path
        if not target.startswith("/"):
            return None  # absolute-form ("http://...") or nonsense
        # Not urlsplit: it would read "//etc/passwd" as a host name and a path.
        path = urllib.parse.unquote(target.split("?", 1)[0].split("#", 1)[0], errors="strict")
        if "\x00" in path or "\\" in path:
            return None
        parts = [part for part in path.split("/") if part not in ("", ".")]
        # No "..", and no dot files (.git, .env): nothing outside the site's own files.
        if any(part.startswith(".") for part in parts):
            return None
        root = self.server.root
        full = os.path.join(root, *parts)
        if os.path.isdir(full):
            if not path.endswith("/"):
                return ("redirect", urllib.parse.quote(path + "/"))
            full = os.path.join(full, "index.html")
        real = os.path.realpath(full)
        # A symbolic link may point outside the root: the real path decides.
        if os.path.commonpath([real, root]) != root or not os.path.isfile(real):
            return None
        name = os.path.basename(real)
        if name.endswith(COPY_SUFFIXES) and os.path.isfile(os.path.splitext(real)[0]):
            # A compressed copy asked for by name: it would go out with the
            # wrong type and no Content-Encoding. Ask for the original instead.
            return None
        return real

    def variant(self, real, original):
        """The fresh precompressed copy the browser accepts, as (coding, path, stat), or None."""
        accepted = accepted_encodings(self.headers.get("Accept-Encoding"))
        for coding, suffix in ENCODINGS:
            if coding not in accepted:
                continue
            copy = real + suffix
            try:
                stat = os.stat(copy)
            except OSError:
                continue
            inside = os.path.commonpath([os.path.realpath(copy), self.server.root]) == self.server.root
            if inside and os.path.isfile(copy) and stat.st_mtime_ns + MTIME_SLACK_NS >= original.st_mtime_ns:
                return coding, copy, stat
        return None

    # --- answering ------------------------------------------------------------

    def serve(self, send_body):
        try:
            found = self.resolve()
        except UnicodeDecodeError:
            found = None
        if found is None:
            self.fail(HTTPStatus.NOT_FOUND, send_body=send_body)
            return
        if isinstance(found, tuple):
            self.fail(HTTPStatus.MOVED_PERMANENTLY, {"Location": found[1]}, send_body=send_body)
            return
        try:
            original = os.stat(found)
            chosen = self.variant(found, original)
            coding, path = (chosen[0], chosen[1]) if chosen else (None, found)
            body = open(path, "rb")
        except OSError:
            self.fail(HTTPStatus.NOT_FOUND, send_body=send_body)
            return
        with body:
            size = os.fstat(body.fileno()).st_size
            # One tag per representation: the br and gzip bodies differ.
            etag = f'"{original.st_mtime_ns:x}-{original.st_size:x}{"-" + coding if coding else ""}"'
            last_modified = email.utils.formatdate(original.st_mtime, usegmt=True)
            self.encoding = coding or "identity"
            self.body_size = size
            if self.not_modified(etag, original):
                self.body_size = 0
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.common_headers(etag, last_modified)
                self.end_headers()
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type(found))
            if coding:
                self.send_header("Content-Encoding", coding)
            self.send_header("Content-Length", str(size))
            self.common_headers(etag, last_modified)
            self.end_headers()
            if send_body:
                try:
                    shutil.copyfileobj(body, self.wfile)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

    def common_headers(self, etag, last_modified):
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("X-Content-Type-Options", "nosniff")

    def not_modified(self, etag, original):
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag_matches(if_none_match, etag)
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                when = email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return int(original.st_mtime) <= when
        return False

    # --- logging: one line per request on standard output ----------------------

    def log_request(self, code="-", size="-"):
        status = code.value if isinstance(code, HTTPStatus) else code
        print(f'{self.address_string()} "{self.requestline}" {status} {self.encoding} {self.body_size}', flush=True)

    def log_error(self, format, *args):
        pass  # the request line is logged with its status


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a slow client must not hold up the exit

    def __init__(self, address, root):
        self.root = root
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Serve DIR over HTTP, sending its .br/.gz copies (from precompress.mjs) to browsers that take them.")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default 8000)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("dir", metavar="DIR", help="the directory to serve")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.dir):
        problem = "not a directory" if os.path.exists(args.dir) else "no such directory"
        print(f"serve.py: error: {problem}: {args.dir}", file=sys.stderr)
        return 1
    root = os.path.realpath(args.dir)
    try:
        server = Server((args.bind, args.port), root)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"serve.py: error: port {args.port} on {args.bind} is already in use; "
                  "choose another with --port (or --port 0 for any free port)", file=sys.stderr)
        else:
            print(f"serve.py: error: cannot listen on {args.bind}:{args.port}: {error.strerror or error}",
                  file=sys.stderr)
        return 1

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving {args.dir} at http://{shown}:{port}/ (compressed: br, gzip)", flush=True)
    if not any(name.endswith(COPY_SUFFIXES) for _, _, names in os.walk(root) for name in names):
        print(f"note: no .br or .gz files in {args.dir}: everything goes out uncompressed. "
              f"Run: node triage-wasm/tools/precompress.mjs {args.dir}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
