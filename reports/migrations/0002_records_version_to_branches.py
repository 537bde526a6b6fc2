from django.db import migrations


class Migration(migrations.Migration):
    """The version token moved to branches (its 0005), beside the records whose changes replace it."""

    dependencies = [
        ("reports", "0001_records_version"),
        ("branches", "0005_importbatch_recordsversion"),
    ]

    operations = [
        migrations.DeleteModel(name="RecordsVersion"),
    ]
