"""python manage.py secretary_reports --year 2023 --output DIR [--organization NAME]

Each reporting organization's 述职报告 as DIR/<党组织名称>.docx and the round's DIR/summary.xlsx.
"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from branches import models as m
from reports.forms import YearForm
from reports.secretary_reports import document, workbook


class Command(BaseCommand):
    help = "生成某年度各基层党组织书记的述职报告（每个党组织一个 .docx）及汇总表 summary.xlsx。"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="年度，例如 2023")
        parser.add_argument("--output", required=True, help="输出目录（须已存在）")
        parser.add_argument("--organization", help="只生成这个党组织的（党组织名称）")

    def handle(self, *args, year, output, organization=None, **options):
        form = YearForm({"year": year}, required=True)
        if not form.is_valid():
            raise CommandError(form.messages()[0])
        year = form.cleaned_data["year"]
        review_round = m.ReviewRound.objects.filter(year=year).first()
        if review_round is None:
            raise CommandError(f"没有{year}年度的述职评议，请先在后台“述职评议”中登记。")
        folder = Path(output)
        if not folder.is_dir():
            raise CommandError(f"目录“{output}”不存在。")
        organizations = review_round.reporting()
        if organization:
            organizations = organizations.filter(name=organization.strip())
            if not organizations.exists():
                raise CommandError(f"“{organization}”不是{year}年度参加述职的党组织。")
        files = document.render_all(review_round, organizations)
        for name, data in files:
            (folder / name).write_bytes(data)
        (folder / "summary.xlsx").write_bytes(workbook.render_xlsx(review_round, organizations))
        self.stdout.write(f"已生成{year}年度述职报告{len(files)}份及汇总表：{folder}")
