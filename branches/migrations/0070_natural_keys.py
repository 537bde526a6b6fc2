"""Each record type's natural key (the one its import identifies rows by) held by the database.

Records that already share a key are not dropped: the migration stops and lists them, so that the office
decides which of each pair is right and removes or corrects the other before migrating again.
"""
from django.db import migrations, models
from django.db.models import Count

NATURAL_KEYS = {
    "meeting": (["organization", "meeting_type", "held_on", "topic"], "组织生活"),
    "worklogentry": (["date", "kind", "title"], "党建工作台账"),
}


def duplicates(apps, model_name):
    fields, title = NATURAL_KEYS[model_name]
    model = apps.get_model("branches", model_name)
    groups = model.objects.values(*fields).annotate(n=Count("id")).filter(n__gt=1).order_by(*fields)
    found = []
    for group in groups:
        records = list(model.objects.filter(**{f: group[f] for f in fields}).order_by("id"))
        ids = [r.pk for r in records]
        key = "，".join(shown(records[0], f) for f in fields)
        found.append(f"{title}（{key}）：记录编号 {'、'.join(map(str, ids))}")
    return found


def shown(record, name):
    """A key field's value as the office reads it: an organization or type by its name, a choice by its label."""
    value = getattr(record, name)
    if hasattr(value, "name"):
        return value.name
    choices = dict(record._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


def report_duplicates(apps, schema_editor):
    found = [line for name in NATURAL_KEYS for line in duplicates(apps, name)]
    if found:
        raise RuntimeError(
            "以下记录重复，无法建立唯一约束。请在管理后台核对，删除或更正重复的记录后再迁移：\n" + "\n".join(found)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("branches", "0050_review"),
    ]

    operations = [
        migrations.RunPython(report_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                fields=("organization", "meeting_type", "held_on", "topic"), name="one_meeting_per_topic_day"
            ),
        ),
        migrations.AddConstraint(
            model_name="worklogentry",
            constraint=models.UniqueConstraint(fields=("date", "kind", "title"), name="one_worklog_entry_per_title_day"),
        ),
    ]
