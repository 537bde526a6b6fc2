from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.urls import reverse

from reports.todo import sections_for


class Command(BaseCommand):
    help = "把每位党组织书记和组织科的待办事项发到其邮箱（可每天由 cron 运行；没有待办或没有邮箱的账号不发）。"

    def handle(self, *args, **options):
        sent = skipped = 0
        users = get_user_model().objects.filter(is_active=True).exclude(email="").prefetch_related("groups").order_by("pk")
        for user in users:
            role, sections = sections_for(user)
            if role not in ("工委管理员", "党组织书记"):
                continue
            sections = [s for s in sections if s.items]
            if not sections:
                skipped += 1
                continue
            send_mail(f"【述职】待办事项{sum(len(s.items) for s in sections)}项", self.digest(user, sections),
                      settings.DEFAULT_FROM_EMAIL, [user.email])
            sent += 1
        self.stdout.write(self.style.SUCCESS(f"已发送待办提醒{sent}封；{skipped}个账号没有待办。"))

    @staticmethod
    def digest(user, sections):
        site = settings.SHUZHI_SITE_URL
        lines = [f"{user.first_name or user.username}：", "", "您在述职系统中有以下待办事项：", ""]
        for section in sections:
            lines.append(f"【{section.title}】")
            for item in section.items:
                lines.append(f"- {item.text}" + (f"（{item.detail}）" if item.detail else ""))
                lines.append(f"  {site}{item.url}")
            lines.append("")
        lines.append(f"全部待办：{site}{reverse('todo')}")
        return "\n".join(lines)
