"""gunicorn settings for `bench/webhook.py --server gunicorn` only: tcm serves with Granian
(tcm_site/webserver.py). Issue #6 set the intake target "with gunicorn"; this keeps that figure
measurable, with the settings tcm used before the switch (gthread, 2 workers x 4 threads, the
redacted access log), after `.venv/bin/pip install gunicorn==27.0.1` (not in requirements).

Access log lines go through the same secret-redacting filter as the app's logs: the webhook URL
carries the connection's secret in its path.
"""

from __future__ import annotations

import os

from tcm_site.webserver import access_log_on, logging_config

bind = os.environ.get("TCM_LISTEN", "0.0.0.0:8000")
workers = int(os.environ.get("TCM_WEB_WORKERS", "2"))
threads = int(os.environ.get("TCM_WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 10
# Several gunicorns (tests, benchmarks) run on one machine; a shared control socket would clash.
control_socket_disable = True
accesslog = "-" if access_log_on() else None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = logging_config(("gunicorn.error", "gunicorn.access"))
