import datetime

import pytest
from django.contrib.auth import get_user_model

from branches import demo as demo_module
from branches import models as m
from branches.idcard import make_id_number


@pytest.fixture(scope="module")
def _shared_demo(django_db_setup, django_db_blocker):
    """The demo district built once for a module's tests that ask for it, in a transaction rolled back at the end.

    Each test still runs in its own savepoint inside it (pytest-django's `db`), so what one test writes is gone
    before the next. `pytest_collection_modifyitems` below runs those tests last in their module, so a test that
    wants an empty database never sees the district.
    """
    from django.db import connection, transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        # A durable atomic block inside a test is allowed, as under Django's TestCase.
        connection.atomic_blocks[-1]._from_testcase = True
        try:
            demo_module.load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(request, db):
    """The demo district of the seed report, built in the test database."""
    if "_shared_demo" not in request.fixturenames:
        demo_module.load()
    return m.Organization.objects.get(kind=m.OrgKind.COMMITTEE)


_OWN_TRANSACTIONS = {"transactional_db", "live_server", "django_db_serialized_rollback", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items):
    """Tests on the demo share one build per module (`_shared_demo`); those that commit transactions build their own."""
    shared = set()
    for item in items:
        names = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        commits = marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback"))
        if "demo" in names and not commits and not _OWN_TRANSACTIONS & set(names):
            names.insert(0, "_shared_demo")
            shared.add(item)
    # Within each run of one module's tests only: pytest-django has already put the tests that flush the database
    # after those that roll back, and that order must hold (a flush removes the migrations' seeded catalogues).
    run, runs, previous = 0, {}, None
    for item in items:
        if item.module is not previous:
            run, previous = run + 1, item.module
        runs[item] = run
    items.sort(key=lambda item: (runs[item], item in shared))


@pytest.fixture
def admin_client(db, client):
    user = get_user_model().objects.create_superuser("office", "office@example.com", "a-long-test-password")
    client.force_login(user)
    return client


# A member's admin form carries the probation-extension inline: its management form, with no extension entered.
NO_EXTENSION = {"probation_extension-TOTAL_FORMS": "0", "probation_extension-INITIAL_FORMS": "0",
                "probation_extension-MIN_NUM_FORMS": "0", "probation_extension-MAX_NUM_FORMS": "1",
                # and the 任职 inline, with no post entered
                "tenures-TOTAL_FORMS": "0", "tenures-INITIAL_FORMS": "0", "tenures-MIN_NUM_FORMS": "0",
                "tenures-MAX_NUM_FORMS": "1000"}


class Builder:
    """Hand-built records for the small cases the rules are checked on."""

    def __init__(self):
        self.seq = 0
        self.root = m.Organization.objects.create(name="测试教育工委", kind=m.OrgKind.COMMITTEE)

    def org(self, name=None, kind=m.OrgKind.BRANCH, parent=None, **kw):
        self.seq += 1
        kw.setdefault("unit_category", m.UnitCategory.PRIMARY)
        if kw["unit_category"] in m.PRIVATE_CATEGORIES:
            kw.setdefault("ownership", m.Ownership.PRIVATE)
        return m.Organization.objects.create(name=name or f"测试党组织{self.seq}", kind=kind, parent=parent or self.root, **kw)

    def member(self, org, born=datetime.date(1980, 5, 6), post="", status=m.Member.Status.FULL, join=None, **kw):
        self.seq += 1
        join = join or datetime.date(born.year + 25, 7, 1)
        member = m.Member.objects.create(
            name=kw.pop("name", f"党员{self.seq}"), id_number=make_id_number("620402", born, self.seq % 1000),
            birth_date=born, join_date=join, organization=org, status=status,
            full_member_date=None if status == m.Member.Status.PROBATIONARY else m.probation_end(join), **kw,
        )
        if post:  # in office since they could hold it (written past Tenure.clean, as a record entered before the rule)
            self.tenure(member, post, since=member.full_member_date or join)
        return member

    def tenure(self, member, post, since=None, until=None, organization=None, election=None):
        return m.Tenure.objects.create(member=member, organization=organization or member.organization, post=post,
                                       started_on=since or member.full_member_date or member.join_date,
                                       ended_on=until, election=election)


@pytest.fixture
def build(db):
    return Builder()


# -- spreadsheets --------------------------------------------------------------------------------
def make_xlsx(*rows, merges=(), title="Sheet1", extra_sheets=()):
    """A real .xlsx made by openpyxl: rows of values, optional merged ranges and further sheets."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    for name, extra_rows in extra_sheets:
        other = book.create_sheet(name)
        for row in extra_rows:
            other.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def folder(tmp_path, settings):
    """The uploads waiting for their confirm (branches/uploads.py), in a folder of the test's own."""
    from branches import uploads

    settings.STORAGES = {**settings.STORAGES, "import_export": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path / uploads.FOLDER


def waiting(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class SheetPages:
    """The admin's import pages, driven as the office worker drives them."""

    def __init__(self, client):
        self.client = client

    def url(self, model, view):
        from django.urls import reverse

        return reverse(f"admin:branches_{model}_{view}")

    def upload(self, model, data, filename="名册.xlsx"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile(filename, data)
        return self.client.post(self.url(model, "import"), {"resource": "0", "format": "0", "import_file": upload})

    def confirm(self, model, preview, skip_invalid=False):
        form = preview.context["skip_form" if skip_invalid else "confirm_form"]
        data = {name: form.initial.get(name, "") for name in form.fields}
        return self.client.post(self.url(model, "process_import"), data)


@pytest.fixture
def sheets(admin_client):
    return SheetPages(admin_client)


@pytest.fixture
def meet(db):
    """Records a meeting: meet(org, "党员大会", date) — the type by the name the migration seeded."""

    def record(org, type_name, held_on, present=5, on_roll=6, **kw):
        return m.Meeting.objects.create(
            organization=org, meeting_type=m.MeetingType.objects.get(name=type_name), held_on=held_on,
            topic=kw.pop("topic", f"{type_name}"), present=present, on_roll=on_roll, **kw,
        )

    return record


# -- the figures cache, in each worker's memory and in Redis --------------------------------------
@pytest.fixture(params=["locmem", "redis"])
def figures_cache(request, settings, monkeypatch):
    """The figures cache on, as in production: each worker's memory (the default), then Redis (REDIS_URL set),
    skipped with a message naming the server where it does not answer. Empty at the start of the test."""
    import redis_server
    from django.core.cache import caches

    from branches import version

    settings.SHUZHI = {**settings.SHUZHI, "REMEMBER_FIGURES": True}
    monkeypatch.setattr(version, "_cache_down_until", 0.0)  # a failure another test provoked is not this test's
    if request.param == "redis":
        redis_server.require()
        prefix = redis_server.new_prefix()
        settings.CACHES = {**settings.CACHES, "figures": redis_server.figures_cache(prefix)}
        yield request.param
        caches["figures"].close()
        redis_server.forget(prefix)
    else:
        caches["figures"].clear()
        yield request.param
        caches["figures"].clear()
