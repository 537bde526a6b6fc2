import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import branches.models


def first_token(apps, schema_editor):
    apps.get_model("branches", "RecordsVersion").objects.create(pk=1, token=uuid.uuid4().hex)


def move_content_type(apps, schema_editor):
    """The model's content type goes with it, and with it the permissions the roles were granted on it."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="audit", model="importbatch")
    if ContentType.objects.filter(app_label="branches", model="importbatch").exists():
        old.delete()
    else:
        old.update(app_label="branches")


class Migration(migrations.Migration):
    """ImportBatch moves here from audit (its table stays audit_importbatch, rows and all), and the records'
    version token from reports: both belong to the records' app."""

    dependencies = [
        ("branches", "0004_organizational_life"),
        ("audit", "0003_meetings"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("model", models.CharField(max_length=100, verbose_name="导入对象")),
                        ("file_name", models.CharField(max_length=255, verbose_name="文件名")),
                        ("started_at", models.DateTimeField(auto_now_add=True, verbose_name="导入时间")),
                        ("created", models.PositiveIntegerField(default=0, verbose_name="新增")),
                        ("updated", models.PositiveIntegerField(default=0, verbose_name="更新")),
                        ("deleted", models.PositiveIntegerField(default=0, verbose_name="删除")),
                        ("skipped", models.PositiveIntegerField(default=0, verbose_name="未变")),
                        ("refused", models.PositiveIntegerField(default=0, verbose_name="拒绝（超出本组织范围）")),
                        ("invalid", models.PositiveIntegerField(default=0, verbose_name="有误未导入")),
                        ("organization", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="branches.organization", verbose_name="导入人所属党组织")),
                        ("user", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="导入人")),
                    ],
                    options={
                        "verbose_name": "导入记录",
                        "verbose_name_plural": "导入记录",
                        "db_table": "audit_importbatch",
                        "ordering": ["-started_at", "-id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name="RecordsVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(default=branches.models.new_token, max_length=32)),
            ],
            options={"verbose_name": "数据版本", "verbose_name_plural": "数据版本"},
        ),
        migrations.RunPython(first_token, migrations.RunPython.noop),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
