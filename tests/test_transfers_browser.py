"""组织关系转接 in a real browser (headless Chromium) at the office's 1440×900 screen: the transfer list and a
member's page with their transfers fit without sideways scrolling; screenshots in screenshots/."""
import datetime

import pytest
from browser import SCREENSHOTS, chromium, needs_chromium

from branches import models as m

pytestmark = needs_chromium
D = datetime.date


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile", "--window-size=1440,900")
    yield driver
    driver.quit()


def test_the_transfer_list_and_a_members_transfers_fit_the_office_screen(
    transactional_db, django_db_serialized_rollback, live_server, build, browser, django_user_model
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    first = build.org("红山区实验小学党支部")
    second = build.org("红山区第一中学第二党支部")
    moved = build.member(first, name="欧阳志刚", gender="男")
    m.Transfer.objects.create(member=moved, kind=m.Transfer.Kind.WITHIN, from_organization=first, to_organization=second,
                              transferred_on=D(2026, 8, 28), letter_number="教组转〔2026〕12号")
    for n, name in enumerate(["周国庆", "吴海燕", "郑晓明"]):
        m.Transfer.objects.create(member=build.member(first, name=name), kind=m.Transfer.Kind.OUT, from_organization=first,
                                  outside_unit="中共兰州市城关区委教育工作委员会", transferred_on=D(2026, 7, 1 + n),
                                  letter_number=f"教组转〔2026〕{3 + n}号", reason=m.Transfer.Reason.RETIREMENT)
    django_user_model.objects.create_superuser("office", "office@example.com", "a-long-test-password")
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("office")
    browser.find_element(By.NAME, "password").send_keys("a-long-test-password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "/admin/login/" not in b.current_url)
    SCREENSHOTS.mkdir(exist_ok=True)
    browser.set_window_size(1440, 900)
    for name, path, element in [
        ("list", "/admin/branches/transfer/", "result_list"),
        ("member", f"/admin/branches/member/{moved.pk}/change/", "transfers-group"),
    ]:
        browser.get(f"{live_server.url}{path}")
        found, page, window = browser.execute_script("""
            const e = document.getElementById(arguments[0]);
            return [e !== null, document.documentElement.scrollWidth, document.documentElement.clientWidth];""", element)
        assert found, name
        assert page <= window, f"{name}: the page scrolls sideways ({page}px in {window}px)"
        if name == "member":
            browser.execute_script("document.getElementById('transfers-group').scrollIntoView()")
        assert browser.save_screenshot(str(SCREENSHOTS / f"transfers-{name}-1440.png"))
    assert "红山区实验小学党支部 → 红山区第一中学第二党支部" in browser.page_source
