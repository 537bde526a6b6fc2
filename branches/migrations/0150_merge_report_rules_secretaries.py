# Joins the duty report texts, the rules by kind and the secretaries' review, written side by side.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0121_report_text_2023'),
        ('branches', '0132_standard_levels'),
        ('branches', '0140_secretary_reviews'),
    ]

    operations = [
    ]
