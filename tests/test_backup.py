"""backup and restore: the whole database round trips through one file, the audit trail included."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.serializers.base import DeserializationError

from accounts import roles
from branches import history as recording
from branches.models import ImportBatch
from branches import models as m

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def state():
    User = get_user_model()
    return {
        "organizations": list(m.Organization.objects.values_list("pk", "name", "parent_id").order_by("pk")),
        "members": list(m.Member.objects.values_list("pk", "name", "id_number", "organization_id").order_by("pk")),
        "history": list(m.Member.history.values_list("history_id", "id", "name", "history_type", "history_user__username",
                                                      "import_batch__file_name").order_by("history_id")),
        "org history": m.Organization.history.count(),
        "imports": list(ImportBatch.objects.values_list("file_name", "user__username", "created")),
        "users": list(User.objects.values_list("username", "password", "profile__organization__name").order_by("username")),
        "roles": sorted(User.objects.values_list("username", "groups__name")),
        "role permissions": {g: len(roles.group(r).permissions.all()) for r, g in roles.GROUPS.items()},
        "categories": list(m.RectificationCase.categories.through.objects.values_list("rectificationcase_id", "problemcategory_id")),
    }


def test_a_backup_restores_the_records_accounts_and_audit_trail_exactly(build, tmp_path):
    school = build.org("育英学校党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    office = get_user_model().objects.create_user("office", password="a-long-test-password")
    roles.grant(office, roles.ADMIN, build.root)
    member = build.member(school, name="王建华", phone="13912345678")
    member.name = "王建军"
    member._history_user = office
    member.save()
    case = m.RectificationCase.objects.create(organization=school, year=2023, problems="x", deadline="2023-09-30")
    case.categories.add(m.ProblemCategory.objects.first())
    batch = ImportBatch.objects.create(model="branches.member", file_name="名册.xlsx", user=office, created=1)
    with recording.within(batch):
        build.member(school, name="导入党员")
    gone = build.member(school, name="已删除")
    gone.delete()
    before = state()
    assert len(before["history"]) == 5

    file = tmp_path / "shuzhi.json.gz"
    call_command("backup", str(file), stdout=io.StringIO())
    m.Member.objects.filter(pk=member.pk).update(name="备份后改动")
    m.Member.history.all().delete()
    get_user_model().objects.filter(username="office").delete()
    call_command("restore", str(file), interactive=False, stdout=io.StringIO())

    assert state() == before


def test_a_broken_backup_file_changes_nothing(build, tmp_path):
    build.member(build.org(), name="王建华")
    before = state()
    broken = tmp_path / "broken.json"
    broken.write_text('[{"model": "branches.member", "pk": 1, "fields": {"name": ', encoding="utf-8")
    with pytest.raises(DeserializationError):
        call_command("restore", str(broken), interactive=False, stdout=io.StringIO())
    assert state() == before
    with pytest.raises(CommandError, match="找不到"):
        call_command("restore", str(tmp_path / "missing.json"), interactive=False)


def table_counts():
    """Rows in every table of the database, but those migrate rebuilds and the transient ones backup leaves out."""
    from django.db import connection

    left_out = ("django_content_type", "auth_permission", "django_session", "axes_")
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            if not table.startswith(left_out) and table != "django_migrations":
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
                counts[table] = cursor.fetchone()[0]
    return counts


def test_a_restore_reproduces_every_table_exactly_and_brings_the_attachments_back(build, tmp_path, settings, meet):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path / "media")
    school = build.org("育英学校党支部", unit_category=m.UnitCategory.PRIVATE_SCHOOL)
    build.member(school, name="王建华")
    # Written in bulk, as the demo district and imports write: no history row of its own yet, so that a row a
    # restore's many-to-many set adds (simple-history's m2m signal, "~" with no user) would show.
    [case] = m.RectificationCase.objects.bulk_create([m.RectificationCase(
        organization=school, year=2023, problems="x", deadline="2023-09-30")])
    case.categories.through.objects.bulk_create([
        case.categories.through(rectificationcase_id=case.pk, problemcategory_id=c.pk) for c in m.ProblemCategory.objects.all()[:2]])
    meeting = meet(school, "党员大会", "2023-03-28")
    meeting.attachment.save("会议记录.pdf", ContentFile(b"%PDF-1.4 minutes"))
    before = table_counts()
    assert before["audit_historicalrectificationcase"] == 0

    file = tmp_path / "shuzhi.json.gz"
    out = io.StringIO()
    call_command("backup", str(file), stdout=out)
    (tmp_path / "media" / meeting.attachment.name).unlink()
    call_command("restore", str(file), interactive=False, stdout=out)

    assert table_counts() == before  # no "~" rows with no user from loaddata's many-to-many sets
    assert (tmp_path / "media" / meeting.attachment.name).read_bytes() == b"%PDF-1.4 minutes"
    assert "会议附件齐全" in out.getvalue()


def test_a_restore_without_the_attachments_says_which_are_missing(build, tmp_path, settings, meet):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path / "media")
    meeting = meet(build.org("育英学校党支部"), "党员大会", "2023-03-28")
    meeting.attachment.save("会议记录.pdf", ContentFile(b"%PDF-1.4"))
    file = tmp_path / "shuzhi.json"
    call_command("backup", str(file), stdout=io.StringIO())
    (tmp_path / "shuzhi.json.media.tar.gz").unlink()
    (tmp_path / "media" / meeting.attachment.name).unlink()
    out = io.StringIO()
    call_command("restore", str(file), interactive=False, stdout=out)
    assert "1个会议附件不在" in out.getvalue() and meeting.attachment.name in out.getvalue()
