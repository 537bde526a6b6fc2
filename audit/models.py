"""The audit trail: a history row for every create, change and delete of the records (django-simple-history),
kept in this app so that the records' own app keeps its migrations; and one row per import, which the history
rows it wrote point to."""
import simple_history
from django.conf import settings
from django.db import models

from branches import models as b


class ImportBatchQuerySet(b.ScopedQuerySet):
    pass


class ImportBatch(models.Model):
    """One import of a spreadsheet: who, when, which file, how many rows did what."""

    model = models.CharField("导入对象", max_length=100)
    file_name = models.CharField("文件名", max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        b.Organization, verbose_name="导入人所属党组织", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField("导入时间", auto_now_add=True)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    deleted = models.PositiveIntegerField("删除", default=0)
    skipped = models.PositiveIntegerField("未变", default=0)
    refused = models.PositiveIntegerField("拒绝（超出本组织范围）", default=0)
    invalid = models.PositiveIntegerField("有误未导入", default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "导入记录"
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.file_name}（{self.started_at:%Y-%m-%d %H:%M}）"


class HistoryBase(models.Model):
    """What every history row has besides the record's fields: the import that wrote it, if one did."""

    import_batch = models.ForeignKey(
        ImportBatch, verbose_name="导入批次", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


TRACKED = [
    b.Leader, b.Organization, b.Member, b.Election, b.StandardArea, b.StandardItem, b.Assessment, b.AssessmentItem,
    b.ProblemCategory, b.RectificationCase, b.RectificationProgress, b.WorkLogEntry, b.AnnualPlan,
    b.MeetingType, b.Meeting,
]
M2M = {b.RectificationCase: ["categories"]}


def track(model):
    name = model._meta.verbose_name
    simple_history.register(
        model, app="audit", bases=[HistoryBase], m2m_fields=M2M.get(model, ()),
        verbose_name=f"{name}历史", verbose_name_plural=f"{name}历史", user_related_name="+",
    )


for _model in TRACKED:
    track(_model)
