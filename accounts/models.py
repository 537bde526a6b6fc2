from django.conf import settings
from django.db import models


class Profile(models.Model):
    """The organization an account belongs to: a secretary sees that organization and the branches under it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", on_delete=models.CASCADE, related_name="profile")
    organization = models.ForeignKey(
        "branches.Organization", verbose_name="所属党组织", null=True, blank=True, on_delete=models.PROTECT,
        related_name="accounts", help_text="工委管理员和领导属于教育工委（看全区）；党组织书记属于本组织（看本组织及下属党支部）。",
    )

    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False,
        help_text="初始密码或组织科重置的密码只用一次：登录后先修改密码，才能使用系统。",
    )

    class Meta:
        verbose_name = verbose_name_plural = "账号所属党组织"
        permissions = [("view_personal_data", "查看完整的身份证号码和联系电话")]

    def __str__(self):
        return f"{self.user} · {self.organization or '未指定党组织'}"
