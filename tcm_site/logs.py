"""Log redaction: secrets never reach a log line.

Plex tokens travel in URLs (`X-Plex-Token=`), Tautulli's API key too (`apikey=`), and the webhook
secret is a path segment. Any of them can end up in a message: plexapi logs request URLs,
requests puts URLs in its exceptions, the web server's access log and Django's "Not Found"
warning have whatever path a client sent. One filter on every handler scrubs them all, so no call
site has to remember. Three nets, since no one of them catches everything:

- by name: `X-Plex-Token=abc`, `apikey=abc`, `token=abc`, `secret=abc`, header dumps;
- by shape: every path segment and query after a `webhooks` segment (any letter case, any number
  of slashes), but for the route's own words: a near miss of the webhook URL is redacted as the
  URL is, however malformed;
- by value: every secret this process knows (each one tcm decrypts or encrypts registers itself,
  see tcm_site/fields.py; the web server loads them all at the start of a request), anywhere in a
  line, in any letter case, with any of its characters percent-encoded once or twice.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

_PATTERNS = [
    # X-Plex-Token=abc / apikey=abc / token=abc in query strings, form bodies and reprs.
    (re.compile(r"(?i)\b(x-plex-token|apikey|api_key|token|secret)=([^&\s'\"<>]+)"), r"\1=***"),
    # Header dumps: {'X-Plex-Token': 'abc'}
    (re.compile(r"(?i)(['\"]?x-plex-token['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"), r"\1***"),
]

# A path from a `webhooks` segment to the end of the path and query (a space or a quote ends it).
_WEBHOOK_PATH = re.compile(r"(?i)(?P<word>webhooks?)(?P<rest>(?:/|\\|%2f|%5c)[^\s'\"<>]*)")
_SEPARATOR = re.compile(r"(?i)(/|\\|%2f|%5c)")
_ROUTE_WORDS = {"", "webhooks", "webhook", "tautulli", "***"}

# Shorter values are not secrets tcm generates or Plex hands out; matching them would redact
# ordinary words.
MIN_SECRET_LENGTH = 8
_known: set[str] = set()
_known_pattern: re.Pattern[str] | None = None
_known_lock = threading.Lock()


def remember_secrets(values: Iterable[str]) -> None:
    """Redact these values wherever they appear from now on (in this process)."""
    global _known_pattern
    # Called for every secret loaded: the common case (known already) takes no lock.
    new = [v for v in values if v and len(v) >= MIN_SECRET_LENGTH and v not in _known]
    if not new:
        return
    with _known_lock:
        _known.update(new)
        # Longest first: a secret that contains another is redacted whole.
        alternatives = (_spelled(v) for v in sorted(_known, key=len, reverse=True))
        _known_pattern = re.compile("|".join(alternatives), re.IGNORECASE)


def _spelled(secret: str) -> str:
    """A pattern for `secret` with each character as itself or percent-encoded (once or twice:
    %41 or %2541); IGNORECASE covers the letter case of both."""
    parts = []
    for char in secret:
        escapes = "".join(f"%(?:25)?{byte:02x}" for byte in char.encode())
        parts.append(f"(?:{re.escape(char)}|{escapes})")
    return "".join(parts)


def _redact_webhook_path(match: re.Match[str]) -> str:
    path, query_mark, _ = match["rest"].partition("?")
    pieces = _SEPARATOR.split(path)  # the separators are kept, at the odd indexes
    for i in range(0, len(pieces), 2):
        if pieces[i].lower() not in _ROUTE_WORDS:
            pieces[i] = "***"
    return match["word"] + "".join(pieces) + (query_mark and "?***")


def redact(text: str) -> str:
    """Return `text` with every known kind of secret replaced by ***."""
    if _known_pattern is not None:
        text = _known_pattern.sub("***", text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _WEBHOOK_PATH.sub(_redact_webhook_path, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Format once with the arguments, then scrub the result: a secret may arrive in the
        # format string, in an argument, or in an exception's text.
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        clean = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = clean, None
        return True
