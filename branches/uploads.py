"""Uploaded spreadsheets waiting to be confirmed: kept where every worker (and a background job) finds them.

django-import-export writes the upload to its temporary storage for the preview and reads it again on confirm.
Here that storage is the `import_export` entry of STORAGES (a folder of its own, outside the media the backups
hold). A file is deleted when its import is confirmed (the library), cancelled or left with nothing to confirm
(branches/admin/sheets.py), and in any case a day after the upload: every new upload sweeps the older ones away,
and `manage.py clean_imports` does the same from cron.
"""
import datetime
import re

from django.utils import timezone
from import_export.tmp_storages import MediaStorage

KEPT_FOR = datetime.timedelta(days=1)
FOLDER = "pending"
NAME = re.compile(r"^[0-9a-f]{32}$")  # the names MediaStorage gives (uuid4().hex): nothing else is ever opened


class PendingUpload(MediaStorage):
    def __init__(self, **kwargs):
        kwargs["MEDIA_FOLDER"] = FOLDER
        super().__init__(**kwargs)
        if self.name is not None and not NAME.match(str(self.name)):
            raise FileNotFoundError("not an upload's name")  # a tampered confirm: the page asks for the file again

    def save(self, data):
        sweep(self._storage)
        super().save(data)


def storage():
    return PendingUpload()._storage


def sweep(files=None, now=None):
    """Deletes the uploads older than a day; returns how many."""
    files = files or storage()
    cutoff = (now or timezone.now()) - KEPT_FOR
    try:
        names = files.listdir(FOLDER)[1]
    except FileNotFoundError:
        return 0
    removed = 0
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if files.get_modified_time(path) < cutoff:
                files.delete(path)
                removed += 1
        except FileNotFoundError:  # another worker swept it first
            continue
    return removed


def discard(name):
    """Deletes one upload now (cancelled, or nothing in it can be imported)."""
    if name and NAME.match(str(name)):
        PendingUpload(name=name).remove()
