import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts import roles


class Command(BaseCommand):
    help = "创建（或重置）系统管理员账号，并打印登录名和新密码。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", help="不填则随机生成")

    def handle(self, *args, username, password, **options):
        password = password or secrets.token_urlsafe(9)
        roles.check_password(password, username)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS(f"管理员登录：用户名 {username}  密码 {password}"))
