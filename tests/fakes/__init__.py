"""Fake outside services for the tests: small stateful HTTP servers on loopback that speak the
real wire protocols, so that the real clients (plexapi, requests) are what the tests drive."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler


def reply(request: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    """Answer a request with a whole body. A client that gave up meanwhile (it timed out) has
    nobody left to answer: not an error of the fake."""
    try:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass
