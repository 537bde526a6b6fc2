import gzip
import json
import tarfile
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from branches import models as m
from branches import version

from .backup import EXCLUDED, MEDIA_FOLDERS, media_archive


def excluded(label):
    return any(label == e or label.split(".")[0] == e for e in EXCLUDED)


def records_in(file):
    """How many records of each model the backup file holds."""
    opener = gzip.open if str(file).endswith(".gz") else open
    with opener(file, "rt", encoding="utf-8") as f:
        return Counter(item["model"] for item in json.load(f))


def restore_media(archive):
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(archive, "r:gz") as files:
        members = [f for f in files.getmembers() if f.name.split("/")[0] in MEDIA_FOLDERS]
        files.extractall(root, members=members, filter="data")  # "data": nothing outside MEDIA_ROOT, no links


class Command(BaseCommand):
    help = ("用 backup 生成的文件替换整个数据库的内容（含审计记录），并恢复会议附件（FILE.media.tar.gz）。"
            "数据库须已 migrate 到与备份相同的版本。恢复后逐表核对记录数，并核对每个附件都在。")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive", help="不询问，直接恢复")

    @staticmethod
    def confirm():
        # Run from cron or a script, nobody answers: that is a no, not a traceback.
        try:
            return input("恢复将清空当前数据库的全部内容，输入 yes 继续：").strip()
        except EOFError:
            return ""

    def handle(self, *args, file, interactive, **options):
        if not Path(file).is_file():
            raise CommandError(f"找不到备份文件 {file}")
        if interactive and self.confirm() != "yes":
            raise CommandError("已取消，数据库未作改动（无人应答时请加 --noinput）。")
        # One transaction: a file that fails to load, or loads other than it was written, leaves the database as
        # it was. History off while it loads: loaddata's saves are raw, but setting a many-to-many relation (a
        # case's categories) fires simple-history's m2m signal, which would add a "~" row with no user.
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", file, verbosity=0)
            # Every table the backup covers holds what the file holds: no more (a signal's row), no fewer.
            expected = records_in(file)
            differ = []
            for model in apps.get_models():  # (many-to-many rows travel inside their records)
                label = model._meta.label_lower
                if model._meta.proxy or not model._meta.managed or excluded(label):
                    continue
                found = model._base_manager.count()
                if found != expected.get(label, 0):
                    differ.append(f"{label}：备份中{expected.get(label, 0)}条，恢复后{found}条")
            if differ:
                raise CommandError("恢复后的记录数与备份不符，已撤销恢复：" + "；".join(differ))
            version.changed()  # loaddata's saves are raw: figures remembered by running workers must not be reused
        archive = media_archive(file)
        if archive.is_file():
            restore_media(archive)
        missing = [name for name in m.Meeting.objects.exclude(attachment="").values_list("attachment", flat=True)
                   if not (Path(settings.MEDIA_ROOT) / name).is_file()]
        if missing:
            self.stdout.write(self.style.WARNING(
                f"数据已恢复，但有{len(missing)}个会议附件不在：{'、'.join(missing[:10])}"
                f"{'等' if len(missing) > 10 else ''}。请从附件备份（{archive.name}）恢复到 {settings.MEDIA_ROOT}。"
            ))
            return
        self.stdout.write(self.style.SUCCESS(f"已从 {file} 恢复，各表记录数与备份一致，会议附件齐全"))
