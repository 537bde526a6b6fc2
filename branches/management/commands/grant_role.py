import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import roles
from branches.models import Organization, OrgKind


class Command(BaseCommand):
    help = "创建或更新账号并授予角色：admin（工委管理员）、secretary（党组织书记）、leader（领导）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=list(roles.GROUPS))
        parser.add_argument("--organization", help="所属党组织名称；书记必填，管理员和领导默认为教育工委")
        parser.add_argument("--password", help="新账号的密码；不填则随机生成并打印一次（已有账号的密码不变）")

    def handle(self, *args, username, role, organization, password, **options):
        if organization:
            org = Organization.objects.filter(name=organization).first()
            if org is None:
                raise CommandError(f"没有名为“{organization}”的党组织。")
        elif role == roles.SECRETARY:
            raise CommandError("党组织书记账号请用 --organization 指定所属党组织。")
        else:
            org = Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).first()
            if org is None:
                raise CommandError("还没有教育工委（组织树的根），请先录入党组织。")
        if password:
            roles.check_password(password, username)
        user, created = get_user_model().objects.get_or_create(username=username)
        new_password = password or (secrets.token_urlsafe(12) if created else None)
        if new_password:
            user.set_password(new_password)
        # A password printed here is the office's, not the holder's: they choose their own at the first login.
        roles.grant(user, role, org, must_change_password=True if new_password and not password else None)
        said = f"{'已创建' if created else '已更新'}账号 {username}：{roles.GROUPS[role]}，所属党组织 {org}"
        if new_password and not password:
            said += f"，初始密码 {new_password}（只显示这一次）"
        self.stdout.write(self.style.SUCCESS(said))
