# Joins the duty report texts, the rules by kind and the secretaries' review, written side by side.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0132_standard_levels'),
        ('audit', '0140_secretary_reviews'),
    ]

    operations = [
    ]
