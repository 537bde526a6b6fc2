"""python manage.py import_sheet KIND FILE [--commit [--skip-invalid]] [--year YEAR]

For the office's scripts: the admin's import, without the web page. Without flags it previews (counts and
every invalid row) and writes nothing. Exit status 0 when every row was valid, 1 otherwise. For ballots (reviews),
--year names the 述职评议 that rows without a 年度 count in, as the admin's import page lets the office choose.
"""
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from branches import models as m
from branches.resources import KINDS
from branches.importing import check, preview
from branches.sheets import SheetError


class Command(BaseCommand):
    help = "导入电子表格（党组织、党员、换届选举、标准化评定、软弱涣散整顿、党建工作台账、组织生活、发展党员、述职评议测评票）。默认只预览，不写入。"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS), help="表格类型")
        parser.add_argument("file", help=".xlsx、.xls 或 .csv 文件")
        parser.add_argument("--commit", action="store_true", help="写入数据库（有任何一行有误则全部不写入）")
        parser.add_argument("--skip-invalid", action="store_true", help="与 --commit 同用：跳过有误的行，写入其余各行")
        parser.add_argument("--year", type=int, help="测评票（reviews）：未填“年度”的行计入该年度的述职评议（默认最近一次）")

    def handle(self, kind, file, commit=False, skip_invalid=False, year=None, **options):
        if skip_invalid and not commit:
            raise CommandError("--skip-invalid 须与 --commit 同用。")
        options = {}
        if year is not None:
            if kind != "reviews":
                raise CommandError("--year 只用于测评票（reviews）。")
            options["review_round"] = m.ReviewRound.objects.filter(year=year).first()
            if options["review_round"] is None:
                raise CommandError(f"没有{year}年度的述职评议，请先由组织科登记。")
        translation.activate(settings.LANGUAGE_CODE)
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}")
        resource = KINDS[kind](**options)
        resource.progress = Counted(self.stderr)
        try:
            if commit:
                result = resource.import_data(
                    resource.read(data), dry_run=False, use_transactions=True,
                    rollback_on_validation_errors=not skip_invalid,
                )
            else:  # the preview: every row checked as it is read, nothing written (as the admin's background job)
                result = check(resource, resource.stream(data))
        except SheetError as exc:
            self.stderr.write(f"{file}：{exc}")
            sys.exit(1)
        resource.progress.done()
        p = preview(result)
        for note in p["notes"]:
            self.stdout.write(note)
        self.stdout.write(
            f"{p['title']}：共{p['total']}行，新增{p['new']}行，更新{p['update']}行，无变化{p['skip']}行，有误{p['invalid']}行。"
        )
        for problem in p["problems"]:
            where = f"第{problem.row}行\t{problem.column}\t{problem.value}\t" if problem.row else ""
            self.stdout.write(f"{where}{problem.message}")
        valid = not result.has_errors() and not result.has_validation_errors()
        if not commit:
            self.stdout.write("预览完毕，未写入。" + ("加 --commit 写入。" if valid else "改正有误的行后再导入，或加 --commit --skip-invalid 只写入无误的行。"))
        elif valid:
            self.stdout.write(self.style.SUCCESS(f"已写入：新增{p['new']}条，更新{p['update']}条。"))
        elif skip_invalid and not result.has_errors():
            self.stdout.write(f"已写入无误的行：新增{p['new']}条，更新{p['update']}条；跳过有误的{p['invalid']}行（第{p['invalid_rows_text']}行）。")
        else:
            self.stdout.write(self.style.ERROR("有误，未写入任何数据。"))
        if not valid:
            sys.exit(1)


class Counted:
    """Progress on stderr while a preview checks its rows (importing.check ticks it once per row)."""

    EVERY = 10_000

    def __init__(self, stream):
        self.stream, self.count = stream, 0

    def tick(self):
        self.count += 1
        if self.count % self.EVERY == 0:
            self.stream.write(f"已校验{self.count}行……")

    def done(self):
        if self.count >= self.EVERY:
            self.stream.write(f"已校验{self.count}行。")
