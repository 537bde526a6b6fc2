import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import roles
from branches.models import Member, Organization, Tenure


class Command(BaseCommand):
    help = "为每个有书记的党组织创建书记账号（用户名为党组织名称），打印一次初始密码；已有账号不动。"

    def handle(self, *args, **options):
        User = get_user_model()
        secretaries = {}
        for tenure in Tenure.objects.counted().filter(post=Member.Post.SECRETARY).select_related("member").order_by("pk"):
            secretaries.setdefault(tenure.organization_id, tenure.member)
        rows = []
        with transaction.atomic():
            for org in Organization.objects.active().filter(pk__in=secretaries.keys()).order_by("sort_order", "pk"):
                if User.objects.filter(username=org.name).exists():
                    continue
                password = secrets.token_urlsafe(9)
                user = User(username=org.name, first_name=secretaries[org.pk].name)
                user.set_password(password)
                user.save()
                roles.grant(user, roles.SECRETARY, org, must_change_password=True)
                rows.append((org.name, secretaries[org.pk].name, password))
        for username, name, password in rows:
            self.stdout.write(f"{username}\t{name}\t{password}")
        self.stdout.write(self.style.SUCCESS(
            f"新建书记账号{len(rows)}个（用户名、书记姓名、初始密码，以制表符分隔）。初始密码只显示这一次，"
            "请分发给本人；首次登录时系统要求本人修改密码。"
        ))
