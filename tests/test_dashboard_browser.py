"""The dashboard in a real browser (headless Chromium): what a leader opens, offline, and what it prints."""
from urllib.parse import urlsplit

import pytest
from browser import SCREENSHOTS, chromium, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile", "--window-size=1440,1000", prefs={"intl.accept_languages": "zh-CN,zh"},
                      capabilities={"goog:loggingPrefs": {"browser": "ALL"}})
    yield driver
    driver.quit()


def test_a_leader_opens_the_dashboard_offline_and_follows_a_number_to_its_records(
    transactional_db, django_db_serialized_rollback, live_server, demo, browser, django_user_model, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    django_user_model.objects.create_superuser("leader", "leader@example.com", "a-long-test-password")
    wait = WebDriverWait(browser, 20)
    browser.get(f"{live_server.url}/admin/login/?next=/dashboard/")
    browser.find_element(By.NAME, "username").send_keys("leader")
    browser.find_element(By.NAME, "password").send_keys("a-long-test-password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), "2023年度 基层党建工作看板"))

    # Under the Content-Security-Policy (shuzhi/middleware.py) nothing is refused (a refusal is a SEVERE console
    # entry) and the charts, drawn with inline style attributes, have their widths.
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    bars = browser.execute_script("return [...document.querySelectorAll('.hbar')].map(e => e.getBoundingClientRect().width)")
    assert bars and max(bars) > 0
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert any(url.endswith("reports/board.css") for url in resources)
    assert {urlsplit(url).netloc for url in resources} == {urlsplit(live_server.url).netloc}  # nothing leaves the machine

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1440, height)
    SCREENSHOTS.mkdir(exist_ok=True)
    for path in (tmp_path / "dashboard-2023.png", SCREENSHOTS / "dashboard-2023.png"):
        assert browser.save_screenshot(str(path))

    # On paper (A4): the picker and the admin's header stay on the screen.
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not browser.find_element(By.CSS_SELECTOR, ".year-picker").is_displayed()
    assert not browser.find_element(By.ID, "header").is_displayed()
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "printBackground": True})
    assert pdf["data"]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # The 68 organizations directly under the committee, followed to their list.
    browser.set_window_size(1440, 1000)
    number = browser.find_element(By.CSS_SELECTOR, ".kpi .k-value a.num")
    assert number.text == "68"
    number.click()
    wait.until(ec.presence_of_element_located((By.ID, "changelist")))
    assert "68 党组织" in browser.find_element(By.CSS_SELECTOR, ".paginator").text
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
