"""Every member already off the roll gets the day they left it (离册日期), the best day the records hold:

- 取消预备党员资格: its own date (cancelled_on);
- 转出, 去世: the day of the first history row (audit) that shows the member with that status, the day the office
  recorded it; where no history row shows it (rows written before the audit trail), the join date, so that such a
  member, as before this migration, is counted on no past day's roll.
"""
from django.db import migrations
from django.utils import timezone
from django.db.models import F, Min, OuterRef, Subquery


def fill_left_on(apps, schema_editor):
    Member = apps.get_model("branches", "Member")
    History = apps.get_model("audit", "HistoricalMember")
    Member.objects.filter(roll_status="cancelled", left_on__isnull=True).exclude(cancelled_on=None).update(
        left_on=F("cancelled_on"))
    recorded = (History.objects.filter(id=OuterRef("pk"), roll_status=OuterRef("roll_status"))
                .values("id").annotate(first=Min("history_date")).values("first")[:1])
    for member in Member.objects.exclude(roll_status="on_roll").filter(left_on__isnull=True).annotate(recorded=Subquery(recorded)):
        member.left_on = timezone.localtime(member.recorded).date() if member.recorded else member.join_date
        member.save(update_fields=["left_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0175_roll_dates"),
        ("audit", "0175_member_roll_dates"),
    ]

    operations = [migrations.RunPython(fill_left_on, migrations.RunPython.noop)]
