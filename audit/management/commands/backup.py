import tarfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by migrate on the target (content types, permissions) or not worth keeping (sessions, login attempts).
# Everything else goes: the records, their history, the imports, the accounts and their roles, the admin log.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes"]
# The uploaded files the records point to (meeting minutes and photos), under MEDIA_ROOT.
MEDIA_FOLDERS = ["meetings"]


def media_archive(file):
    """The attachments' archive that goes with a backup file: shuzhi.json.gz → shuzhi.json.gz.media.tar.gz."""
    return Path(f"{file}.media.tar.gz")


class Command(BaseCommand):
    help = ("备份整个数据库（含审计记录）到一个文件：FILE 以 .json 或 .json.gz 结尾；会议附件另存为 FILE.media.tar.gz。"
            "用 restore 恢复。")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        # Natural keys: a restore on another database matches content types, permissions, groups and users
        # by name rather than by ids that differ between installations.
        call_command("dumpdata", exclude=EXCLUDED, natural_foreign=True, natural_primary=True, output=file, verbosity=0)
        root = Path(settings.MEDIA_ROOT)
        with tarfile.open(media_archive(file), "w:gz") as archive:
            for folder in MEDIA_FOLDERS:
                if (root / folder).is_dir():
                    archive.add(root / folder, arcname=folder)
        self.stdout.write(self.style.SUCCESS(f"已备份到 {file}（会议附件：{media_archive(file)}）"))
