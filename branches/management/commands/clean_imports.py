from django.core.management.base import BaseCommand

from branches import uploads


class Command(BaseCommand):
    help = "删除超过一天仍未确认的导入上传文件（每次新上传时也会自动清理）。"

    def handle(self, *args, **options):
        removed = uploads.sweep()
        self.stdout.write(f"已删除{removed}个超过一天未确认的上传文件。")
