"""A background import's page in a real browser (headless Chromium, 1440×900): the progress bar follows the worker
by itself (the page's poll, no reload by hand) to the preview, and after the confirm to 100% written."""
import time

from browser import SCREENSHOTS, needs_chromium
from django.core.cache import caches
from test_secretary_reviews_browser import browser, log_in  # noqa: F401 (a fixture: Chromium at 1440x900)

from branches import jobs
from branches import models as m

pytestmark = needs_chromium


def test_the_progress_bar_follows_the_worker_to_the_preview_and_to_100_percent_written(
    transactional_db, django_db_serialized_rollback, live_server, browser, django_user_model, folder, settings, tmp_path,
    monkeypatch,
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from test_import_jobs import BRANCH, roster

    # The tasks are stored, not run, and this test runs them as the worker would, while the browser watches.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.CACHES = {**settings.CACHES, "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                   "LOCATION": "import-jobs-browser"}}
    caches["jobs"].clear()
    original, shown = jobs.Progress.publish, []

    def publish(self):  # a slow machine: each chunk takes a moment, so the page shows the bar on its way
        original(self)
        time.sleep(0.4)

    monkeypatch.setattr(jobs.Progress, "publish", publish)
    m.Organization.objects.create(name=BRANCH, kind=m.OrgKind.BRANCH, parent=m.Organization.objects.create(
        name="红山区教育工委", kind=m.OrgKind.COMMITTEE))
    django_user_model.objects.create_superuser("office", "office@example.com", "a-long-test-password")
    path = tmp_path / "党员名册.xlsx"
    path.write_bytes(roster(3000))

    log_in(browser, live_server.url, "office")
    browser.get(f"{live_server.url}/admin/branches/member/import/")
    browser.find_element(By.NAME, "import_file").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "input[type=submit][value=上传并预览]").click()
    WebDriverWait(browser, 10).until(lambda b: "/import/job/" in b.current_url)
    assert browser.find_element(By.ID, "job-state").text == "排队中"
    job = m.ImportJob.objects.get()

    def bar(name):
        return int(browser.find_element(By.ID, f"bar-{name}").get_attribute("value"))

    SCREENSHOTS.mkdir(exist_ok=True)

    def watch(name, run):
        """Runs a stage as the worker does; the page's bar must move during it, on its own."""
        import threading

        from django.db import connections

        shared = connections["default"]

        def work():
            if shared.vendor == "sqlite" and shared.is_in_memory_db():  # as the live server shares it
                connections["default"] = shared
            try:
                run(job.pk)
            finally:
                if connections["default"] is not shared:
                    connections["default"].close()

        worker = threading.Thread(target=work)
        worker.start()
        try:
            WebDriverWait(browser, 30, poll_frequency=0.1).until(lambda b: 0 < bar(name) < 100)
            shown.append(bar(name))
            browser.save_screenshot(str(SCREENSHOTS / f"import-job-{name}.png"))
        finally:
            worker.join()

    watch("rows_checked", jobs.check_import.call)
    WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, "input[value=确认导入]"))
    assert browser.find_element(By.ID, "job-state").text == "待确认"
    assert (bar("rows_read"), bar("rows_checked"), bar("rows_written")) == (100, 100, 0)
    assert "共 3000 行：新增 3000 行" in browser.find_element(By.CSS_SELECTOR, ".sheet-counts").text
    browser.save_screenshot(str(SCREENSHOTS / "import-job-checked.png"))

    browser.find_element(By.CSS_SELECTOR, "input[value=确认导入]").click()
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "job-state").text == "写入中")
    watch("rows_written", jobs.write_import.call)
    WebDriverWait(browser, 15).until(lambda b: b.find_element(By.ID, "job-state").text == "已完成")
    assert (bar("rows_read"), bar("rows_checked"), bar("rows_written")) == (100, 100, 100)
    assert "3000 / 3000 行" in browser.find_element(By.ID, "text-rows_written").text
    assert "党员导入完成：新增3000条" in browser.page_source
    assert browser.save_screenshot(str(SCREENSHOTS / "import-job-done.png"))
    assert m.Member.objects.count() == 3000 and all(0 < value < 100 for value in shown)
