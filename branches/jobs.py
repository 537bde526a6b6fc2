"""Imports of large files as background jobs: read, checked, and (once the user confirms the preview) written by
the worker (`manage.py db_worker`, django-tasks' database backend), while the import page shows the progress.

The work is the admin's own import (the record type's resource, importing.py): a job only runs it elsewhere and
counts its rows. The counters and a cancel request travel through the `jobs` cache, not the database: the import's
transaction holds the database until it ends (on SQLite its write lock, which every other writer waits for), and
a dry run's transaction is rolled back with everything it wrote. The job's row gets the counters at each stage's
end, so a page reloaded later shows them.

A cancel stops the worker at the next chunk of rows; the write is one transaction that also marks the job done,
so a job is either written whole and done, or cancelled (or failed) with nothing written. A worker killed half-way
leaves nothing written either (the database rolls the transaction back): `recover()` queues such a job again, once,
then marks it failed.
"""
import datetime
import functools
import logging
import time

from django.apps import apps
from django.contrib import admin
from django.core.cache import caches
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from . import models as m
from . import uploads
from .importing import check, preview
from .sheets import SheetError

logger = logging.getLogger(__name__)

State = m.ImportJob.State
CHUNK = 500  # rows between two progress reports (and cancel checks)
STALLED_AFTER = datetime.timedelta(minutes=15)  # no progress for this long: the worker running it is gone
ATTEMPTS = 2  # runs of one stage before a job that keeps being interrupted is marked failed
SHOWN_PROBLEMS = 2000  # problems kept for the job's page; the rest are counted
GONE = "上传的文件已失效（可能已经导入过，或等待确认的时间过长）。请重新上传。"
CANCELLED = "已取消导入，没有写入任何数据，上传的文件已删除。"
BROKEN = "导入时发生意外错误，没有写入任何数据。请重新上传；再次出现请联系系统管理员。"


class Cancelled(Exception):
    pass


def _cache():
    return caches["jobs"]


def _key(job_id, what):
    return f"import-job:{job_id}:{what}"


class Progress:
    """Counts a stage's rows; every CHUNK rows it publishes the count and stops if the job was cancelled."""

    def __init__(self, job, counter, also=()):
        self.job_id, self.counter, self.count = job.pk, counter, 0
        self.also = also  # counters that move with this one (a streamed file is read as it is checked)
        self.live = {name: getattr(job, name) for name in COUNTERS}
        self.publish()

    def tick(self):
        self.count += 1
        if self.count % CHUNK == 0:
            self.publish()
            if cancel_requested(self.job_id):
                raise Cancelled

    def publish(self):
        self.live[self.counter] = self.count
        for name in self.also:
            self.live[name] = max(self.live[name], self.count)
        _cache().set(_key(self.job_id, "progress"), {**self.live, "at": time.time()}, timeout=86400)


COUNTERS = ("rows_read", "rows_checked", "rows_written")


def progress(job):
    """The job's counters as the page shows them: the live ones while a stage runs, else the row's."""
    counts = {name: getattr(job, name) for name in COUNTERS}
    if job.state in (State.CHECKING, State.WRITING):
        live = _cache().get(_key(job.pk, "progress")) or {}
        counts = {name: max(counts[name], live.get(name, 0)) for name in COUNTERS}
    total = job.total or 0
    percent = {name: (min(100, round(100 * value / total)) if total else 0) for name, value in counts.items()}
    return {
        "state": job.state, "state_label": job.get_state_display(), "finished": job.finished,
        "total": total, **counts, "percent": percent,
    }


def cancel_requested(job_id):
    return bool(_cache().get(_key(job_id, "cancel")))


class Tracked:
    """A resource that counts the rows it imports (the record type's own resource, see tracked())."""

    progress = None

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.progress is not None:
            self.progress.tick()
        return row_result


@functools.cache
def tracked(resource_class):
    return type(resource_class.__name__, (Tracked, resource_class), {"__module__": __name__})


def model_admin(job):
    return admin.site.get_model_admin(apps.get_model(job.model))


# -- the two stages ------------------------------------------------------------------------------
def _claim(job_id, states, state):
    """The job moves on from one of `states`; False where it was cancelled or finished meanwhile."""
    return m.ImportJob.objects.filter(pk=job_id, state__in=states).update(
        state=state, attempts=F("attempts") + 1, updated_at=timezone.now()
    ) == 1


def _finish(job, state, message="", **fields):
    """The job's last state, its upload deleted; nothing happens to a job already finished (cancelled)."""
    fields.update(state=state, message=message, finished_at=timezone.now(), updated_at=timezone.now())
    done = m.ImportJob.objects.filter(pk=job.pk).exclude(state__in=m.ImportJob.FINISHED).update(**fields) == 1
    uploads.discard(job.file_name)
    return done


def _read(job, sheet_admin):
    data = uploads.PendingUpload(name=job.file_name, read_mode="rb").read()
    return sheet_admin.sheet_resource().read(data)


def _resource(job, sheet_admin, counter, also=()):
    resource = tracked(sheet_admin.sheet_resource)(user=job.user, **sheet_admin.job_resource_kwargs(job))
    resource.progress = Progress(job, counter, also)
    return resource


def _stored(result):
    """The preview (importing.preview) as the job's row keeps it: plain values, the problems capped."""
    shown = preview(result)
    problems = shown["problems"]
    shown["problems"] = [p._asdict() for p in problems[:SHOWN_PROBLEMS]]
    shown["more_problems"] = max(0, len(problems) - SHOWN_PROBLEMS)
    shown["all_valid"] = not result.has_validation_errors()
    # As on the page of a small file: all rows, or (some being wrong) the valid ones, may be confirmed.
    shown["confirmable"] = not result.has_errors() and shown["valid"] > 0
    return shown


def stage(run):
    """A stage of a job: cancelled, it ends 已取消; anything unexpected ends it 失败 (logged), nothing written either
    way. Its live counters are dropped when it ends (the job's row has them then; a cancel request stays, for a
    worker still running)."""
    @functools.wraps(run)
    def guarded(job_id):
        try:
            return run(job_id)
        except Cancelled:
            _finish(m.ImportJob.objects.get(pk=job_id), State.CANCELLED, CANCELLED)
        except Exception:
            logger.exception("import job %s failed in %s", job_id, run.__name__)
            _finish(m.ImportJob.objects.get(pk=job_id), State.FAILED, BROKEN)
        finally:
            _cache().delete(_key(job_id, "progress"))
    return guarded


@task()
@stage
def check_import(job_id):
    """Reads the upload and checks every row as it is read (importing.check, which writes nothing): the preview,
    kept on the job for its page. The file is never held whole: a 200,000-row roster is checked in bounded memory."""
    if not _claim(job_id, (State.QUEUED, State.READING, State.CHECKING), State.READING):
        return
    job = m.ImportJob.objects.select_related("user").get(pk=job_id)
    sheet_admin = model_admin(job)
    try:
        data = uploads.PendingUpload(name=job.file_name, read_mode="rb").read()
        table = sheet_admin.sheet_resource().stream(data)  # the header found; the rows are read as they are checked
    except FileNotFoundError:
        _finish(job, State.FAILED, GONE)
        return
    except SheetError as exc:
        _finish(job, State.FAILED, str(exc))
        return
    job.total, job.rows_read = table.expected, 0
    job.state = State.CHECKING
    job.save(update_fields=["total", "rows_read", "state", "updated_at"])
    resource = _resource(job, sheet_admin, "rows_checked", also=("rows_read",))
    try:
        result = check(resource, table, file_name=job.original_name, user=job.user)
    except SheetError as exc:  # a row past the limits, met as the file was read
        _finish(job, State.FAILED, str(exc))
        return
    total = result.total_rows
    shown = _stored(result)
    counts = {"total": total, "rows_read": total, "rows_checked": total}
    if shown["confirmable"]:
        m.ImportJob.objects.filter(pk=job_id, state=State.CHECKING).update(
            state=State.CHECKED, preview=shown, updated_at=timezone.now(), **counts
        )
    else:
        _finish(job, State.FAILED, "表中没有可以导入的行，没有写入任何数据，上传的文件已删除。请改正后重新上传。",
                preview=shown, **counts)


@task()
@stage
def write_import(job_id):
    """Writes the confirmed rows: all of them in one transaction (or the valid ones, as the user chose), or none."""
    if not _claim(job_id, (State.WRITING,), State.WRITING):
        return
    job = m.ImportJob.objects.select_related("user").get(pk=job_id)
    sheet_admin = model_admin(job)
    try:
        dataset = _read(job, sheet_admin)
    except (FileNotFoundError, SheetError):
        _finish(job, State.FAILED, GONE)
        return
    resource = _resource(job, sheet_admin, "rows_written")
    with transaction.atomic():
        result = resource.import_data(
            dataset, dry_run=False, raise_errors=False, file_name=job.original_name, user=job.user,
            rollback_on_validation_errors=not job.skip_invalid,
        )
        written = not result.has_errors() and (job.skip_invalid or not result.has_validation_errors())
        if written:
            # Done in the same transaction as the rows: a cancel that came first (the state is no longer
            # 写入中) takes the rows back with it.
            if not m.ImportJob.objects.filter(pk=job_id, state=State.WRITING).update(
                state=State.DONE, rows_written=len(dataset), preview=_stored(result),
                message=sheet_admin.success_text(result), finished_at=timezone.now(), updated_at=timezone.now(),
            ):
                raise Cancelled
    if written:
        uploads.discard(job.file_name)
    else:
        _finish(job, State.FAILED, "导入未完成，没有写入任何数据：以下各行有误。请改正后重新上传。", preview=_stored(result))


# -- what the pages and the command do -----------------------------------------------------------
def start(user, model, upload_name, original_name, options=None):
    job = m.ImportJob.objects.create(
        user=user, model=model._meta.label_lower, file_name=upload_name, original_name=original_name[:255],
        options=options or {},
    )
    check_import.enqueue(job.pk)
    job.refresh_from_db()  # an immediate backend (tests) has run it already
    return job


def confirm(job, skip_invalid):
    """The user confirms the preview: the write is queued; False if the job is not waiting for that."""
    if not m.ImportJob.objects.filter(pk=job.pk, state=State.CHECKED).update(
        state=State.WRITING, skip_invalid=skip_invalid, rows_written=0, attempts=0, updated_at=timezone.now()
    ):
        return False
    write_import.enqueue(job.pk)
    return True


def cancel(job):
    """Stops the job at its next chunk of rows, and deletes its upload; False if it had finished already."""
    _cache().set(_key(job.pk, "cancel"), True, timeout=86400)
    return _finish(job, State.CANCELLED, CANCELLED)


def recover(now=None):
    """Jobs whose worker went away (no progress for STALLED_AFTER) run again, once; then they are marked failed.
    Jobs left unconfirmed for a day are cancelled (their uploads are swept with the others'). Returns the counts."""
    now = now or timezone.now()
    counts = {"again": 0, "failed": 0, "expired": 0}
    stalled = m.ImportJob.objects.filter(
        state__in=(State.READING, State.CHECKING, State.WRITING), updated_at__lt=now - STALLED_AFTER
    )
    for job in stalled:
        live = _cache().get(_key(job.pk, "progress")) or {}
        if live.get("at", 0) > (now - STALLED_AFTER).timestamp():
            continue  # still counting rows
        if job.attempts >= ATTEMPTS:
            _finish(job, State.FAILED, "后台任务多次中断，没有写入任何数据。请重新上传。")
            counts["failed"] += 1
            continue
        if job.state == State.WRITING:
            m.ImportJob.objects.filter(pk=job.pk, state=State.WRITING).update(updated_at=now)
            write_import.enqueue(job.pk)
        else:
            m.ImportJob.objects.filter(pk=job.pk, state=job.state).update(state=State.QUEUED, updated_at=now)
            check_import.enqueue(job.pk)
        counts["again"] += 1
    for job in m.ImportJob.objects.filter(state=State.CHECKED, updated_at__lt=now - uploads.KEPT_FOR):
        if _finish(job, State.CANCELLED, "等待确认超过一天，已自动取消，上传的文件已删除。"):
            counts["expired"] += 1
    return counts
