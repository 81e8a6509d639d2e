from __future__ import annotations

import os

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tcm_site.settings")


class Request(WSGIRequest):
    def _set_content_type_params(self, meta: dict) -> None:
        try:
            super()._set_content_type_params(meta)  # type: ignore[misc]  # private, not in the stubs
        except ValueError:
            # Django parses the Content-Type header while it builds the request, before any
            # middleware or view, and raises on a malformed parameter (RFC 2231 with an
            # unknown charset, `a*=nope''x`): a 500 for a bad header. Keep the media type, drop
            # the parameters; the view judges the body.
            self.content_type = meta.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
            self.content_params = {}


class Handler(WSGIHandler):
    request_class = Request


# What django.core.wsgi.get_wsgi_application() does, with the tolerant request class.
django.setup(set_prefix=False)
application = Handler()
