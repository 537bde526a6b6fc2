"""On PostgreSQL, imports confirmed at the same moment and the admin's forms beside them neither fail nor double
records: the id sequence is never rewound (django-import-export's after_import did, with setval(max(id))), each
record type's natural key is a unique constraint, and confirmed imports of one record type take turns."""
import datetime
import threading

import pytest
from conftest import NO_EXTENSION, SheetPages, make_xlsx
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from branches import models as m
from branches.idcard import make_id_number

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="只在 PostgreSQL 上检查（设 DATABASE_URL 指向 PostgreSQL）"),
    # Transactions that really commit, side by side; the catalogues the migrations seed come back afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BORN = datetime.date(1985, 5, 6)


def an_id(seq):
    return make_id_number("620402", BORN, seq)


def office_pages():
    user = get_user_model().objects.get_or_create(username="office", defaults={"is_staff": True, "is_superuser": True})[0]
    client = Client()
    client.force_login(user)
    return SheetPages(client)


def all_at_once(*jobs):
    """Runs the jobs in threads released together; returns what each raised (nothing, if all went well)."""
    start, errors = threading.Barrier(len(jobs)), []

    def run(job):
        try:
            start.wait()
            job()
        except Exception as exc:  # noqa: BLE001 - the failure is what the test reports
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def confirmed(pages, model, data):
    """The upload's preview now; a function that confirms it, asserting it was written."""
    preview = pages.upload(model, data)
    assert preview.status_code == 200 and "confirm_form" in preview.context, preview.context.get("preview")

    def confirm():
        response = pages.confirm(model, preview)
        assert response.status_code == 302, response.content.decode()[:2000]

    return confirm


def test_two_overlapping_member_imports_and_form_posts_at_once_lose_and_double_nothing():
    org = m.Organization.objects.create(name="红山区第一小学党支部", kind=m.OrgKind.BRANCH, unit_category=m.UnitCategory.PRIMARY)
    header = ("姓名", "身份证号码", "所在党组织", "入党日期")
    first = make_xlsx(header, *[(f"甲{n}", an_id(n), org.name, "2010-07-01") for n in range(0, 120)])
    second = make_xlsx(header, *[(f"甲{n}", an_id(n), org.name, "2010-07-01") for n in range(60, 180)])
    imports = [confirmed(office_pages(), "member", data) for data in (first, second)]
    forms = office_pages().client

    def post_forms():
        for n in range(500, 513):
            response = forms.post(reverse("admin:branches_member_add"), {
                "name": f"乙{n}", "id_number": an_id(n), "ethnicity": "汉族", "organization": org.pk, "status": "full",
                "join_date": "2010-07-01", "full_member_date": "2011-07-01", "roll_status": "on_roll", **NO_EXTENSION,
            })
            assert response.status_code == 302, response.status_code

    assert all_at_once(*imports, post_forms) == []
    numbers = list(m.Member.objects.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert set(numbers) == {an_id(n) for n in [*range(0, 180), *range(500, 513)]}


def test_the_same_meetings_file_confirmed_twice_at_once_holds_each_meeting_once():
    # Before the natural key was a constraint and imports took turns, 300 rows became 600.
    org = m.Organization.objects.create(name="红山区第二小学党支部", kind=m.OrgKind.BRANCH, unit_category=m.UnitCategory.PRIMARY)
    start = datetime.date(2023, 1, 1)
    data = make_xlsx(
        ("召开日期", "党组织", "类型", "主题", "实到人数", "应到人数"),
        *[(start + datetime.timedelta(days=n), org.name, "党小组会", f"学习第{n}讲", 5, 6) for n in range(300)],
    )
    imports = [confirmed(office_pages(), "meeting", data) for _ in range(2)]
    assert all_at_once(*imports) == []
    assert m.Meeting.objects.count() == 300
    # The second waited for the first and found its meetings unchanged.
    batches = m.ImportBatch.objects.filter(model="branches.meeting").values_list("created", "updated", "skipped")
    assert sorted(batches) == [(0, 0, 300), (300, 0, 0)]

