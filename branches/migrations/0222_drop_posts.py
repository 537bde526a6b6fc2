from django.db import migrations


class Migration(migrations.Migration):
    """The post column, the stored vacancy date and the elections' free-text names go: tenures (0221) hold them."""

    dependencies = [
        ("branches", "0221_tenures_from_posts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='member',
            name='branches_me_organiz_400a81_idx',
        ),
        migrations.RemoveField(
            model_name='election',
            name='committee_members',
        ),
        migrations.RemoveField(
            model_name='election',
            name='deputy_names',
        ),
        migrations.RemoveField(
            model_name='election',
            name='secretary_name',
        ),
        migrations.RemoveField(
            model_name='member',
            name='party_post',
        ),
        migrations.RemoveField(
            model_name='organization',
            name='secretary_vacant_since',
        ),
    ]
