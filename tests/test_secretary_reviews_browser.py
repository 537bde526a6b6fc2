"""述职评议's two main pages in a real browser at 1440x900: a secretary's report form and the office's ranking, on
the screen without horizontal scroll (screenshots kept for a look)."""
import pytest
from browser import SCREENSHOTS, chromium, needs_chromium

pytestmark = needs_chromium


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile", "--window-size=1440,900")
    yield driver
    driver.quit()


def log_in(browser, url, username):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys("a-long-test-password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # Wait for the login's redirect: a page asked for before it lands would be replaced by the admin index.
    WebDriverWait(browser, 10).until(lambda b: "/admin/login/" not in b.current_url)


def fits(browser):
    page, window = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")
    return page <= window


def test_the_report_form_and_the_ranking_fit_the_office_screen(
    transactional_db, django_db_serialized_rollback, live_server, demo, browser, django_user_model
):
    from selenium.webdriver.common.by import By

    from accounts import roles
    from branches import models as m

    org = m.Organization.objects.get(name="红山区博文学校党支部")
    m.SecretaryReport.objects.filter(round__year=2023, organization=org).update(review_status=m.SecretaryReport.DRAFT)
    roles.grant(django_user_model.objects.create_user("bowen", password="a-long-test-password"), roles.SECRETARY, org)
    log_in(browser, live_server.url, "bowen")
    browser.get(f"{live_server.url}/secretary-reports/2023/{org.pk}/")
    SCREENSHOTS.mkdir(exist_ok=True)
    assert "本组织现有在册党员" in browser.find_element(By.NAME, "highlights").get_attribute("value")
    assert fits(browser)
    assert browser.save_screenshot(str(SCREENSHOTS / "secretary-report-1440.png"))

    django_user_model.objects.create_superuser("office", "office@example.com", "a-long-test-password")
    browser.delete_all_cookies()
    log_in(browser, live_server.url, "office")
    browser.get(f"{live_server.url}/secretary-reports/2023/ranking/")
    assert "公办中学" in browser.find_element(By.TAG_NAME, "h2").text
    assert fits(browser)
    assert browser.save_screenshot(str(SCREENSHOTS / "secretary-ranking-1440.png"))
