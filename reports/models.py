import uuid

from django.db import models


def new_token():
    return uuid.uuid4().hex


class RecordsVersion(models.Model):
    """One row whose token is replaced after every committed change to the records (a rolled-back change
    leaves it as it was).

    Figures computed from the records can be reused for as long as the token is the one they were computed
    under (reports.memo).
    """

    token = models.CharField(max_length=32, default=new_token)

    class Meta:
        verbose_name = verbose_name_plural = "数据版本"
