"""`manage.py annual_report`: the Word file or the workbook, chosen by the output's suffix; clear errors."""
import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command


def test_the_command_writes_the_word_file_for_a_docx_output(demo, tmp_path, capsys):
    out = tmp_path / "report.docx"
    call_command("annual_report", "--year", "2023", "--output", str(out))
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "主持召开党工委会议11次" in text
    assert str(out) in capsys.readouterr().out


def test_the_command_writes_the_workbook_for_an_xlsx_output(demo, tmp_path):
    out = tmp_path / "report.XLSX"
    call_command("annual_report", "--year", "2023", "--output", str(out))
    assert openpyxl.load_workbook(out).sheetnames[0] == "党组织"


@pytest.mark.parametrize("year, output, message", [
    ("2023", "report.pdf", "后缀应为 .docx（述职报告）或 .xlsx（统计表）"),
    ("2023", "report", "后缀应为"),
    ("abc", "report.docx", "请填写四位数字的年份"),
    ("1800", "report.docx", "超出范围"),
    ("2023", "no-such-dir/report.docx", "不存在"),
])
def test_the_command_refuses_bad_input_with_a_clear_message(db, tmp_path, year, output, message):
    with pytest.raises(CommandError, match=message):
        call_command("annual_report", "--year", year, "--output", str(tmp_path / output))
    assert not list(tmp_path.iterdir())
