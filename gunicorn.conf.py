"""gunicorn settings of the web service (the container and bench/api_load.py use them).

Every value can be overridden on the command line or through GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import gc
import os

wsgi_app = "cigarspace.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Threads overlap a request's database waits with another's Python; a few per worker.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30
timeout = 60
graceful_timeout = 30
# No gunicorn access log: the app logs one JSON access line per request, with its id.
accesslog = None
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")


def post_worker_init(worker) -> None:
    """Keep the garbage collector off the objects that live as long as the worker.

    Django, the URL resolvers, the models and DRF make a large heap that every full
    collection walks: measured at up to 60 ms per collection on the API's lists, stalling
    every thread of the worker, and 9 % of its CPU. Freezing what exists once the app is
    loaded moves it out of the collector's reach (full collections then take about 10
    ms); a larger first-generation threshold makes collections rarer for the short-lived
    objects of each request.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
