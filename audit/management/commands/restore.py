from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from branches import version


class Command(BaseCommand):
    help = "用 backup 生成的文件替换整个数据库的内容（含审计记录）。数据库须已 migrate 到与备份相同的版本。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive", help="不询问，直接恢复")

    def handle(self, *args, file, interactive, **options):
        if not Path(file).is_file():
            raise CommandError(f"找不到备份文件 {file}")
        if interactive and input("恢复将清空当前数据库的全部内容，输入 yes 继续：").strip() != "yes":
            raise CommandError("已取消，数据库未作改动。")
        # One transaction: a file that fails to load leaves the database as it was.
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", file, verbosity=0)
            version.changed()  # loaddata's saves are raw: figures remembered by running workers must not be reused
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复"))
