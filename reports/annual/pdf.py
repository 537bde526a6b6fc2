"""The duty report as PDF: the .docx converted by LibreOffice (soffice --headless --convert-to pdf).

Each conversion runs in its own temporary directory with its own LibreOffice profile (-env:UserInstallation),
so two requests at once do not fight over one profile's lock, and is stopped after SOFFICE_TIMEOUT seconds.
"""
import pathlib
import shutil
import subprocess
import tempfile

from django.conf import settings


class ConversionUnavailable(Exception):
    """LibreOffice is not installed, or failed: the message says which, in Chinese, for the page."""


def soffice():
    return shutil.which(settings.SHUZHI["SOFFICE"])


def docx_to_pdf(data):
    binary = soffice()
    if binary is None:
        raise ConversionUnavailable("本服务器未安装 LibreOffice（soffice），暂不能生成 PDF，请下载 Word 文件后自行转换。")
    with tempfile.TemporaryDirectory(prefix="shuzhi-pdf-") as work:
        folder = pathlib.Path(work)
        source = folder / "report.docx"
        source.write_bytes(data)
        try:
            subprocess.run(
                [binary, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                check=True, capture_output=True, timeout=settings.SHUZHI["SOFFICE_TIMEOUT"],
            )
        except subprocess.TimeoutExpired:
            raise ConversionUnavailable("生成 PDF 超时，请稍后再试，或下载 Word 文件。") from None
        except (subprocess.CalledProcessError, OSError):
            raise ConversionUnavailable("LibreOffice 转换 PDF 失败，请下载 Word 文件。") from None
        target = folder / "report.pdf"
        if not target.exists():
            raise ConversionUnavailable("LibreOffice 转换 PDF 失败，请下载 Word 文件。")
        return target.read_bytes()
