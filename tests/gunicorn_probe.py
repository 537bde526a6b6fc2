"""The application as gunicorn serves it, with two things a test needs to see from outside: each response names
the worker process that answered it (X-Worker-Pid), and every computation of the dashboard's figures adds one
to a counter in Redis (the key in PROBE_COUNTER). Used by tests/test_figures_workers.py only."""
import os

import redis
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzhi.settings")
django_application = get_wsgi_application()

from reports import views  # noqa: E402  (after Django is set up)

_counter = redis.Redis.from_url(os.environ["PROBE_REDIS_URL"])
_build = views.build


def counted_build(*args, **kwargs):
    _counter.incr(os.environ["PROBE_COUNTER"])
    return _build(*args, **kwargs)


views.build = counted_build


def application(environ, start_response):
    def with_pid(status, headers, *exc_info):
        return start_response(status, [*headers, ("X-Worker-Pid", str(os.getpid()))], *exc_info)

    return django_application(environ, with_pid)
