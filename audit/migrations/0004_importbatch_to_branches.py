import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_meetings'),
        ('branches', '0005_importbatch_recordsversion'),
    ]

    # ImportBatch moved to branches with its table (audit_importbatch): the history rows' links to it and the
    # model's removal from this app are changes of Django's state only.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalmeetingtype',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalannualplan',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalstandarditem',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalorganization',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalproblemcategory',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalassessmentitem',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalassessment',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalrectificationprogress',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalmember',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalleader',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalmeeting',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalrectificationcase',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalstandardarea',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalelection',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.AlterField(
                    model_name='historicalworklogentry',
                    name='import_batch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.importbatch', verbose_name='导入批次'),
                ),
                migrations.DeleteModel(
                    name='ImportBatch',
                ),
            ],
            database_operations=[],
        ),
    ]
