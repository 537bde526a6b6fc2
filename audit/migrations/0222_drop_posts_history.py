from django.db import migrations


class Migration(migrations.Migration):
    """The history tables follow branches 0222: the removed columns go from them too."""

    dependencies = [
        ("audit", "0220_tenure_history"),
        ("branches", "0222_drop_posts"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='historicalelection',
            name='committee_members',
        ),
        migrations.RemoveField(
            model_name='historicalelection',
            name='deputy_names',
        ),
        migrations.RemoveField(
            model_name='historicalelection',
            name='secretary_name',
        ),
        migrations.RemoveField(
            model_name='historicalmember',
            name='party_post',
        ),
        migrations.RemoveField(
            model_name='historicalorganization',
            name='secretary_vacant_since',
        ),
    ]
