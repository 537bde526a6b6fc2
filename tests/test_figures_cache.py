"""The figures cache itself (branches/version.py, remember): one computation for workers that miss together, a
bounded wait for one that died, values that survive the trip through pickle, and a cache that does not answer
costs a computation, never an error page. Each rule in each worker's memory and in Redis."""
import logging
import re
import threading

import pytest
import redis_server
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches import version


@pytest.fixture
def token(monkeypatch):
    """The records' token, fixed: these tests are about the cache, not about when the records change."""
    monkeypatch.setattr(version, "version", lambda: "records-token")


class Counted:
    """compute(): counts its calls, and can be held until released, as a long computation is."""

    def __init__(self, value="the figures"):
        self.value, self.calls, self.started, self.release = value, 0, threading.Event(), threading.Event()
        self.release.set()
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.calls += 1
        self.started.set()
        self.release.wait(30)
        return self.value


def in_threads(n, target):
    results = [None] * n
    errors = []

    def run(i):
        try:
            results[i] = target()
        except Exception as exc:  # shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    return threads, results, errors


def test_a_remembered_value_is_computed_once_and_then_read(figures_cache, token):
    compute = Counted()
    assert version.remember(("k",), compute) == version.remember(("k",), compute) == "the figures"
    assert compute.calls == 1


def test_workers_that_miss_the_same_figures_together_compute_them_once(figures_cache, token):
    compute = Counted()
    compute.release.clear()  # the first computation goes on until all the others have missed
    first, results, errors = in_threads(1, lambda: version.remember(("k",), compute))
    assert compute.started.wait(30)
    others, other_results, other_errors = in_threads(3, lambda: version.remember(("k",), compute))
    compute.release.set()
    for thread in first + others:
        thread.join(60)
    assert not errors + other_errors
    assert results + other_results == ["the figures"] * 4
    assert compute.calls == 1


def test_a_worker_that_died_while_computing_holds_the_others_up_only_for_the_wait(figures_cache, token, monkeypatch, caplog):
    monkeypatch.setattr(version, "WAIT_SECONDS", 0.3)
    caches["figures"].add(version.cache_key(("k",)) + version.LOCK_SUFFIX, 12345, 60)  # its lock, never released
    compute = Counted()
    assert version.remember(("k",), compute) == "the figures"
    assert "another worker held" in caplog.text
    assert version.remember(("k",), compute) == "the figures"  # what the waiting worker computed was stored
    assert compute.calls == 1


def test_a_lock_left_by_a_failed_computation_is_released(figures_cache, token):
    def fails():
        raise RuntimeError("the computation failed")

    with pytest.raises(RuntimeError):
        version.remember(("k",), fails)
    compute = Counted()
    assert version.remember(("k",), compute) == "the figures"  # at once: nobody holds the lock
    assert compute.calls == 1


def test_figures_of_another_day_or_token_are_not_read(figures_cache, monkeypatch):
    monkeypatch.setattr(version, "version", lambda: "before")
    version.remember(("k",), Counted("old"))
    monkeypatch.setattr(version, "version", lambda: "after")
    assert version.remember(("k",), Counted("new")) == "new"


def page(client, url, **params):
    """(the page without its CSRF tokens, the queries it took)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()), len(queries)


@pytest.mark.parametrize("year", [2022, 2023])
def test_the_dashboard_read_back_from_the_cache_shows_what_was_computed(figures_cache, demo, admin_client, year):
    """What the dashboard keeps goes through pickle, in Redis and in each worker's memory alike."""
    computed, computing = page(admin_client, reverse("dashboard"), year=year)
    read, reading = page(admin_client, reverse("dashboard"), year=year)
    assert reading < computing - 20  # the second was read from the cache
    assert read == computed


def test_the_organization_lists_warnings_read_back_from_the_cache_are_the_computed_ones(figures_cache, demo, admin_client):
    url = reverse("admin:branches_organization_changelist")
    computed, computing = page(admin_client, url, asof="2023-12-31")
    read, reading = page(admin_client, url, asof="2023-12-31")
    assert 'style="color:#b00"' in computed  # the demo's weak organizations are flagged
    assert reading < computing
    assert read == computed


def test_where_redis_does_not_answer_the_dashboard_is_computed_not_an_error(settings, monkeypatch, build, admin_client, caplog):
    settings.SHUZHI = {**settings.SHUZHI, "REMEMBER_FIGURES": True}
    unreachable = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CACHES = {**settings.CACHES, "figures": redis_server.figures_cache("shuzhi-unreachable", unreachable)}
    monkeypatch.setattr(version, "_cache_down_until", 0.0)
    school = build.org(name="红山区实验小学党支部")
    for _ in range(3):
        build.member(school)
    with caplog.at_level(logging.WARNING, logger="branches.version"):
        first = admin_client.get(reverse("dashboard"))
        second = admin_client.get(reverse("dashboard"))
    assert first.status_code == second.status_code == 200
    assert first.context["n"]["members"].value == second.context["n"]["members"].value == 3
    warnings = [r for r in caplog.records if "figures cache unavailable" in r.getMessage()]
    assert len(warnings) == 1  # the second page did not try the dead server again
