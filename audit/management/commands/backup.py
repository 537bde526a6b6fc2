from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrate on the target (content types, permissions) or not worth keeping (sessions, login attempts).
# Everything else goes: the records, their history, the imports, the accounts and their roles, the admin log.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]


class Command(BaseCommand):
    help = "备份整个数据库（含审计记录）到一个文件：FILE 以 .json 或 .json.gz 结尾。用 restore 恢复。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        # Natural keys: a restore on another database matches content types, permissions, groups and users
        # by name rather than by ids that differ between installations.
        call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, natural_primary=True, output=file, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"已备份到 {file}"))
