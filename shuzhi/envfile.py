"""The local `.env` file: settings for a laptop's demo, written once by `scripts/run.sh`, read by the settings.

A variable set in the real environment always wins over the file (production sets the environment and has no
file). `SHUZHI_ENV_FILE` names another file, so that a test never reads a developer's own `.env`.
"""
import os
import secrets
import sys
from pathlib import Path

from dotenv import load_dotenv

DEFAULT = Path(__file__).resolve().parent.parent / ".env"

TEMPLATE = """\
# 本机演示用设置（scripts/run.sh 首次运行时生成）。生产环境不用此文件：在环境变量中设置，环境变量优先于本文件。
DJANGO_DEBUG=1
DJANGO_SECRET_KEY={key}
"""


def path():
    return Path(os.environ.get("SHUZHI_ENV_FILE") or DEFAULT)


def load():
    """Reads the file, if there is one, into os.environ without replacing a variable already set."""
    load_dotenv(path(), override=False)


def ensure():
    """Writes the file with a newly generated secret key and DEBUG on, unless it exists; returns its path."""
    target = path()
    if not target.exists():
        # Only the owner reads it: it holds the key that signs the sessions.
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(TEMPLATE.format(key=secrets.token_urlsafe(50)))
        print(f"已生成 {target.name}（随机密钥，DEBUG 开启，仅供本机演示）", file=sys.stderr)
    return target


if __name__ == "__main__":
    ensure()
