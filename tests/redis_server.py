"""The Redis server the figures cache is tested against: SHUZHI_TEST_REDIS_URL, by default database 5 of the
one on 127.0.0.1:6379. Each test writes under a key prefix of its own and deletes what it wrote: never FLUSHDB,
the server is shared."""
import os
import uuid
from urllib.parse import urlsplit

import pytest

URL = os.environ.get("SHUZHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
_address = urlsplit(URL)
ADDRESS = f"{_address.hostname}:{_address.port or 6379}"


def client():
    import redis

    return redis.Redis.from_url(URL, socket_connect_timeout=2, socket_timeout=5)


def require():
    """Skip the test, saying where, unless the server answers."""
    try:
        client().ping()
    except ImportError:
        pytest.skip("the redis package is not installed (requirements.txt)")
    except Exception as exc:
        pytest.skip(f"Redis at {ADDRESS} does not answer ({type(exc).__name__}: {exc}): the Redis tests are skipped")


def new_prefix():
    return f"shuzhi-test-{uuid.uuid4().hex[:12]}"


def figures_cache(prefix, url=URL):
    """settings.CACHES["figures"] as production has it with REDIS_URL set, under a key prefix of the test's own."""
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}


def forget(prefix):
    """Delete every key written under prefix."""
    server = client()
    keys = list(server.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        server.delete(*keys)
