"""A large upload is read, checked and written by the background worker, with a progress bar on its page: the
preview is kept on the job (a reload shows it), confirm writes every row in one transaction, cancel writes nothing
and deletes the upload, a job belongs to its user, and a worker that goes away leaves nothing half written."""
import datetime

import pytest
from conftest import make_xlsx, waiting
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from scoped_district import account, as_user, district  # noqa: F401 (a fixture)

from accounts import roles
from branches import jobs
from branches import models as m
from branches.idcard import make_id_number

HEADER = ("姓名", "身份证号码", "所在党组织", "入党日期")
BRANCH = "红山区第一小学党支部"
State = m.ImportJob.State


def roster(rows, bad=()):
    """A real .xlsx roster of `rows` members of BRANCH; the rows numbered in `bad` have an unreadable join date."""
    lines = [HEADER]
    for i in range(rows):
        born = datetime.date(1960 + i % 30, 1 + i % 12, 1 + i % 28)
        lines.append((f"王芳{i}", make_id_number("620402", born, i % 1000), BRANCH,
                      "入党那天" if i in bad else "2010-07-01"))
    return make_xlsx(*lines)


@pytest.fixture
def background(folder, settings):
    """The jobs cache in this process's memory (the worker runs here), empty; the uploads in the test's folder."""
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "import-jobs"}}
    caches["jobs"].clear()
    yield folder
    caches["jobs"].clear()


@pytest.fixture
def branch(build):
    return build.org(name=BRANCH)


@pytest.fixture
def published(monkeypatch):
    """Every (counter, count) the worker reports while it runs."""
    seen = []
    original = jobs.Progress.publish

    def publish(self):
        original(self)
        seen.append((self.counter, self.count))

    monkeypatch.setattr(jobs.Progress, "publish", publish)
    return seen


def job_url(job, view="import_job"):
    return reverse(f"admin:branches_member_{view}", args=[job.pk])


def upload(sheets, data):
    return sheets.upload("member", data)


def test_a_file_over_the_threshold_is_a_job_whose_preview_survives_a_reload(background, branch, sheets, published, settings):
    data = roster(2400)
    assert len(data) >= settings.SHUZHI["IMPORT_BACKGROUND_KB"] * 1024  # the real threshold, not one lowered for the test
    response = upload(sheets, data)
    job = m.ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    # The rows were counted as they were checked, chunk by chunk, and nothing is written before the confirm.
    assert [count for counter, count in published if counter == "rows_checked"] == [0, 500, 1000, 1500, 2000]
    assert not m.Member.objects.exists()
    for _ in range(2):  # the page again, as after a reload: the same preview, from the job's row
        page = sheets.client.get(job_url(job))
        text = page.content.decode()
        assert page.status_code == 200 and "待确认" in text
        assert "共 <strong>2400</strong> 行：新增 <strong>2400</strong> 行" in text and "确认导入" in text
    progress = sheets.client.get(job_url(job, "import_job_progress")).json()
    assert progress["state_label"] == "待确认"
    assert (progress["total"], progress["rows_read"], progress["rows_checked"], progress["rows_written"]) == (2400, 2400, 2400, 0)
    assert progress["percent"]["rows_checked"] == 100
    assert waiting(background) == [job.file_name]


def test_confirm_writes_every_row_in_one_transaction_and_deletes_the_upload(background, branch, sheets, settings,
                                                                            django_assert_max_num_queries):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}  # every upload a job
    upload(sheets, roster(1200))
    job = m.ImportJob.objects.get()
    with django_assert_max_num_queries(60):  # bulk writes: the same number for 1,200 rows as for 12
        response = sheets.client.post(job_url(job, "import_job_confirm"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == State.DONE and job.rows_written == 1200 and job.finished_at is not None
    assert m.Member.objects.count() == 1200 and m.ImportBatch.objects.get().created == 1200
    page = sheets.client.get(job_url(job)).content.decode()
    assert "已完成" in page and "党员导入完成：新增1200条" in page
    assert waiting(background) == []
    # Confirmed once: a second confirm writes nothing more.
    sheets.client.post(job_url(job, "import_job_confirm"))
    assert m.Member.objects.count() == 1200


def test_a_write_that_fails_on_one_row_writes_none(background, branch, sheets, settings, monkeypatch):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(600))
    job = m.ImportJob.objects.get()
    branch.delete()  # between the preview and the confirm: every row's organization is gone
    sheets.client.post(job_url(job, "import_job_confirm"))
    job.refresh_from_db()
    assert job.state == State.FAILED and "没有写入任何数据" in job.message
    assert not m.Member.objects.exists() and not m.ImportBatch.objects.exists()
    assert waiting(background) == []


def test_a_bad_file_shows_its_errors_by_row_and_column_and_the_valid_rows_may_be_imported_alone(background, branch, sheets, settings):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(700, bad={3, 650}))
    job = m.ImportJob.objects.get()
    text = sheets.client.get(job_url(job)).content.decode()
    assert job.state == State.CHECKED
    # Spreadsheet rows 5 and 652 (the header is row 1), the column by its header.
    for row in (5, 652):
        assert f"<tr><td>第{row}行</td><td>入党日期</td><td>入党那天</td>" in text
    assert "跳过有误的 2 行，导入其余 698 行" in text and 'value="确认导入"' not in text
    sheets.client.post(job_url(job, "import_job_confirm"), {"skip_invalid": "1"})
    job.refresh_from_db()
    assert job.state == State.DONE and m.Member.objects.count() == 698


def test_a_file_nothing_can_be_imported_from_fails_with_chinese_reasons_and_is_not_kept(background, branch, sheets, settings):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    response = upload(sheets, b"not a spreadsheet at all\x00\x00\x00\x00\x00\x00")
    job = m.ImportJob.objects.get()
    page = sheets.client.get(response["Location"])
    assert page.status_code == 200 and job.state == State.FAILED
    assert "Excel" in job.message and "Error" not in job.message and job.message in page.content.decode()
    upload(sheets, make_xlsx(HEADER, ["王芳", "不是号码", "不存在的支部", "入党那天"]))
    job = m.ImportJob.objects.latest("pk")
    text = sheets.client.get(job_url(job)).content.decode()
    assert job.state == State.FAILED and "表中没有可以导入的行" in text and "第2行" in text and "身份证号码" in text
    assert waiting(background) == []


def test_cancel_while_checking_stops_the_worker_and_writes_nothing(background, branch, sheets, settings, monkeypatch):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    original, counted = jobs.Progress.publish, []

    def publish(self):  # the user presses 取消 while the worker is at row 500
        original(self)
        counted.append(self.count)
        if self.count == 500:
            jobs.cancel(m.ImportJob.objects.get(pk=self.job_id))

    monkeypatch.setattr(jobs.Progress, "publish", publish)
    upload(sheets, roster(1500))
    job = m.ImportJob.objects.get()
    assert job.state == State.CANCELLED and counted[-1] == 500  # stopped at the next chunk, not at the end
    assert job.preview is None and waiting(background) == [] and not m.Member.objects.exists()


def test_cancel_while_writing_takes_back_the_rows_already_written(background, branch, sheets, settings, monkeypatch):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(1500))
    job = m.ImportJob.objects.get()
    original = jobs.Progress.publish

    def publish(self):
        original(self)
        if self.counter == "rows_written" and self.count == 1000:
            jobs.cancel(m.ImportJob.objects.get(pk=self.job_id))

    monkeypatch.setattr(jobs.Progress, "publish", publish)
    sheets.client.post(job_url(job, "import_job_confirm"))
    job.refresh_from_db()
    assert job.state == State.CANCELLED
    assert not m.Member.objects.exists() and not m.ImportBatch.objects.exists() and waiting(background) == []


def test_cancel_after_the_preview_deletes_the_upload_and_no_confirm_follows(background, branch, sheets, settings):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(50))
    job = m.ImportJob.objects.get()
    response = sheets.client.post(job_url(job, "import_job_cancel"), follow=True)
    assert "已取消导入，没有写入任何数据，上传的文件已删除" in response.content.decode()
    assert waiting(background) == []
    response = sheets.client.post(job_url(job, "import_job_confirm"), follow=True)
    assert "该导入任务已取消，不能再确认" in response.content.decode()
    assert not m.Member.objects.exists()


def test_a_secretary_reaches_only_their_own_jobs(background, district, settings):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    mine = account("育英学校党委", roles.SECRETARY, district.school)
    theirs = account("博文学校党支部", roles.SECRETARY, district.other)
    office = account("office", roles.ADMIN, district.root)
    others = m.ImportJob.objects.create(user=theirs, model="branches.member", file_name="0" * 32, original_name="博文.xlsx")
    own = m.ImportJob.objects.create(user=mine, model="branches.member", file_name="1" * 32, original_name="育英.xlsx")
    client = as_user(mine)
    for view in ("import_job", "import_job_progress"):
        assert client.get(job_url(others, view)).status_code == 404
        assert client.get(job_url(own, view)).status_code == 200
    for view in ("import_job_confirm", "import_job_cancel"):
        assert client.post(job_url(others, view)).status_code == 404
    others.refresh_from_db()
    assert others.state == State.QUEUED
    # Nor under another record type's pages, nor in the upload page's list.
    assert client.get(reverse("admin:branches_election_import_job", args=[own.pk])).status_code == 404
    assert "博文.xlsx" not in client.get(reverse("admin:branches_member_import")).content.decode()
    assert as_user(office).get(job_url(others)).status_code == 200  # the office sees every import


def test_no_page_of_a_job_gives_a_server_error(background, branch, sheets):
    assert sheets.client.get(reverse("admin:branches_member_import_job", args=[999999])).status_code == 404
    assert sheets.client.get("/admin/branches/member/import/job/abc/", follow=True).status_code < 500
    job = m.ImportJob.objects.create(user=get_user_model().objects.get(username="office"), model="branches.member", file_name="2" * 32, original_name="x.xlsx")
    assert sheets.client.get(job_url(job, "import_job_confirm")).status_code == 403
    # A job whose upload is gone (swept) fails with a message instead of an error.
    jobs.check_import.call(job.pk)
    job.refresh_from_db()
    assert job.state == State.FAILED and "上传的文件已失效" in job.message


@pytest.fixture
def database_worker(settings, monkeypatch):
    """django-tasks' database backend, as production runs it: enqueue stores the task, the worker runs it."""
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    # The worker runs inside the test's transaction, which closing "old" connections between tasks would end.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id="test", excluded_queue_names=[]).run()

    return run


def test_the_database_worker_runs_the_job_and_a_job_left_half_done_is_run_again_then_failed(
        background, branch, sheets, settings, database_worker):
    from django_tasks_db.models import DBTaskResult

    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(800))
    job = m.ImportJob.objects.get()
    assert job.state == State.QUEUED  # stored, waiting for the worker
    assert "排队中" in sheets.client.get(job_url(job)).content.decode()
    database_worker()
    job.refresh_from_db()
    assert job.state == State.CHECKED and job.rows_checked == 800
    sheets.client.post(job_url(job, "import_job_confirm"))
    # The worker is killed while writing: its task stays claimed, its transaction rolled back by the database.
    task = DBTaskResult.objects.ready().get()
    task.claim("killed")
    m.ImportJob.objects.filter(pk=job.pk).update(attempts=1, updated_at=timezone.now() - datetime.timedelta(hours=1))
    caches["jobs"].clear()  # an hour on, its last report of progress is as old
    assert jobs.recover() == {"again": 1, "failed": 0, "expired": 0}
    database_worker()
    job.refresh_from_db()
    assert job.state == State.DONE and m.Member.objects.count() == 800  # written once, whole
    # A job that keeps being interrupted is marked failed, its upload deleted, nothing written.
    upload(sheets, roster(10))
    again = m.ImportJob.objects.latest("pk")
    m.ImportJob.objects.filter(pk=again.pk).update(state=State.CHECKING, attempts=jobs.ATTEMPTS,
                                                   updated_at=timezone.now() - datetime.timedelta(hours=1))
    call_command("clean_imports", stdout=open("/dev/null", "w"))
    again.refresh_from_db()
    assert again.state == State.FAILED and "多次中断" in again.message and again.file_name not in waiting(background)


def test_a_preview_left_a_day_is_cancelled_with_its_upload(background, branch, sheets, settings):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(20))
    job = m.ImportJob.objects.get()
    assert jobs.recover() == {"again": 0, "failed": 0, "expired": 0}
    m.ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=25))
    call_command("clean_imports", stdout=open("/dev/null", "w"))
    job.refresh_from_db()
    assert job.state == State.CANCELLED and "超过一天" in job.message and waiting(background) == []


def test_a_stage_that_breaks_ends_failed_with_a_chinese_message_and_nothing_written(background, branch, sheets, settings,
                                                                                   monkeypatch, caplog):
    settings.SHUZHI = {**settings.SHUZHI, "IMPORT_BACKGROUND_KB": 0}
    upload(sheets, roster(30))
    job = m.ImportJob.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs.Tracked, "import_row", broken)
    sheets.client.post(job_url(job, "import_job_confirm"))
    job.refresh_from_db()
    page = sheets.client.get(job_url(job))
    assert page.status_code == 200 and job.state == State.FAILED and job.message == jobs.BROKEN
    assert jobs.BROKEN in page.content.decode() and "disk full" not in page.content.decode()
    assert not m.Member.objects.exists() and waiting(background) == []
    assert "import job" in caplog.text  # the cause is in the log, for whoever looks after the server
