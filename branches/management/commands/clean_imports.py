from django.core.management.base import BaseCommand

from branches import jobs, uploads


class Command(BaseCommand):
    help = "删除超过一天仍未确认的导入上传文件（每次新上传时也会自动清理），并重新排队或结束中断的后台导入任务。"

    def handle(self, *args, **options):
        # The jobs first: one left unconfirmed for a day is cancelled with its upload, which the sweep then counts.
        found = jobs.recover()
        removed = uploads.sweep()
        self.stdout.write(
            f"已删除{removed}个超过一天未确认的上传文件；中断的导入任务重新排队{found['again']}个、"
            f"标记为失败{found['failed']}个，超过一天未确认而取消{found['expired']}个。"
        )
