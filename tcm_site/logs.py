"""Log redaction: secrets never reach a log line.

Plex tokens travel in URLs (`X-Plex-Token=`), Tautulli's API key too (`apikey=`), and the webhook
secret is a path segment. Any of them can end up in a message: plexapi logs request URLs,
requests puts URLs in its exceptions, the web server's access log has request paths. One filter
on every handler scrubs them all, so no call site has to remember.
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # X-Plex-Token=abc / apikey=abc / token=abc in query strings, form bodies and reprs.
    (re.compile(r"(?i)\b(x-plex-token|apikey|api_key|token)=([^&\s'\"<>]+)"), r"\1=***"),
    # Header dumps: {'X-Plex-Token': 'abc'}
    (re.compile(r"(?i)(['\"]?x-plex-token['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"), r"\1***"),
    # The webhook secret in the webhook path.
    (re.compile(r"(/webhooks/tautulli/)[^/\s?'\"]+"), r"\1***"),
]


def redact(text: str) -> str:
    """Return `text` with every known kind of secret replaced by ***."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
