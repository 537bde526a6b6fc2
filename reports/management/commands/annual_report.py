from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.annual.content import build
from reports.forms import YearForm
from reports.annual.document import render_docx
from reports.annual.workbook import render_xlsx

RENDERERS = {".docx": lambda report: render_docx(report.document), ".xlsx": render_xlsx}


class Command(BaseCommand):
    help = "生成年度抓基层党建工作述职报告（.docx）或其统计表（.xlsx），格式由输出文件的后缀决定。"

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="年度，例如 2023")
        parser.add_argument("--output", required=True, help="输出文件，以 .docx 或 .xlsx 结尾")

    def handle(self, *args, year, output, **options):
        form = YearForm({"year": year}, until_this_year=True, required=True)
        if not form.is_valid():
            raise CommandError(form.messages()[0])
        year = form.cleaned_data["year"]
        path = Path(output)
        render = RENDERERS.get(path.suffix.lower())
        if render is None:
            raise CommandError(f"输出文件“{output}”的后缀应为 .docx（述职报告）或 .xlsx（统计表）。")
        if not path.parent.is_dir():
            raise CommandError(f"目录“{path.parent}”不存在。")
        path.write_bytes(render(build(year)))
        self.stdout.write(f"已生成{year}年述职报告{'' if path.suffix.lower() == '.docx' else '统计表'}：{path}")
