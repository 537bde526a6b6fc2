from django.core.management.base import BaseCommand, CommandError

from branches.dates import today
from branches.early_warning import evaluate
from reports.forms import DateForm
from reports.warnings import workbook


class Command(BaseCommand):
    help = "列出某日的基层党组织预警：先按规则列出党组织数，再逐个列出有预警的党组织及原因。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="截至日期，YYYY-MM-DD（默认今天）")
        parser.add_argument("--output", help="同时把预警清单写入此xlsx文件")

    def handle(self, *args, date=None, output=None, **options):
        form = DateForm({"date": date})
        if not form.is_valid():
            raise CommandError(form.messages()[0])
        on = form.cleaned_data["date"] or today()
        if output and not output.lower().endswith(".xlsx"):
            raise CommandError(f"输出文件应以.xlsx结尾：{output}")
        result = evaluate(on)
        self.stdout.write(f"截至{on:%Y-%m-%d}，{len(result.organizations)}个党组织中{len(result.by_organization)}个有预警。")
        for rule, total, public, private in result.counts():
            self.stdout.write(f"{rule.code}\t{rule.title}\t{total}（公办{public}，民办{private}）")
        for org, hits in result.by_organization.items():
            self.stdout.write(f"\n{org.name}（{org.get_ownership_display()}，{org.get_unit_category_display() or '未分类'}）")
            for hit in hits:
                self.stdout.write(f"  [{hit.rule.code}] {hit.rule.title}：{hit.detail}")
        if output:
            try:
                workbook(result).save(output)
            except OSError as exc:
                raise CommandError(f"无法写入{output}：请检查目录是否存在、是否有写权限（{exc.__class__.__name__}）。") from None
            self.stdout.write(self.style.SUCCESS(f"\n已写入{output}"))
