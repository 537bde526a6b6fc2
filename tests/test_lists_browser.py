"""The office's main lists in a real browser (headless Chromium) at the two common office screens: every column
is on the screen, no horizontal scroll, names on one line."""
import pytest
from browser import SCREENSHOTS, chromium, needs_chromium

pytestmark = needs_chromium

LISTS = ["organization", "member", "election", "rectificationcase"]
SCREENS = [(1440, 900), (1366, 768)]


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "profile", "--window-size=1440,900")
    yield driver
    driver.quit()


def test_the_main_lists_fit_the_office_screens_without_horizontal_scroll(
    transactional_db, django_db_serialized_rollback, live_server, demo, browser, django_user_model
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    django_user_model.objects.create_superuser("office", "office@example.com", "a-long-test-password")
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("office")
    browser.find_element(By.NAME, "password").send_keys("a-long-test-password")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login's redirect lands before the first list is asked for (else the admin index replaces it).
    WebDriverWait(browser, 10).until(lambda b: "/admin/login/" not in b.current_url)
    SCREENSHOTS.mkdir(exist_ok=True)
    for width, height in SCREENS:
        browser.set_window_size(width, height)
        for name in LISTS:
            browser.get(f"{live_server.url}/admin/branches/{name}/")
            table, box, page, window = browser.execute_script("""
                const t = document.getElementById('result_list');
                return [t.scrollWidth, t.parentElement.clientWidth, document.documentElement.scrollWidth,
                        document.documentElement.clientWidth];""")
            assert table <= box, f"{name} at {width}px: the table needs {table}px in {box}px"
            assert page <= window, f"{name} at {width}px: the page scrolls sideways"
            assert browser.save_screenshot(str(SCREENSHOTS / f"list-{name}-{width}.png"))

    # 党员: 联系电话 and 在册状态 are on the screen, and a name is one line high, as its neighbours are.
    browser.get(f"{live_server.url}/admin/branches/member/")
    right, names = browser.execute_script("""
        const heads = ['phone', 'roll_status'].map(c => document.querySelector('#result_list th.column-' + c));
        const rows = [...document.querySelectorAll('#result_list tbody tr')].slice(0, 20);
        return [Math.max(...heads.map(h => h.getBoundingClientRect().right)) - window.innerWidth,
                rows.map(r => [r.querySelector('.field-name').getBoundingClientRect().height,
                               r.querySelector('.field-gender').getBoundingClientRect().height])];""")
    assert right <= 0
    assert all(name <= gender for name, gender in names)

    # 党组织: the warnings are badges, each row a line or two, not a column of sentences.
    browser.get(f"{live_server.url}/admin/branches/organization/")
    badges, (tallest, row) = browser.execute_script("""
        const rows = [...document.querySelectorAll('#result_list tbody tr')];
        return [document.querySelectorAll('#result_list .warning-badge').length,
                rows.map(r => [r.getBoundingClientRect().height, r.innerText]).sort((a, b) => b[0] - a[0])[0]];""")
    assert badges > 0
    assert tallest < 80, row

    # The organization's own page and its inlines (members' posts, elections, assessments …) fit as well.
    from branches import models as m

    school = m.Organization.objects.filter(kind=m.OrgKind.PARTY_COMMITTEE, parent__isnull=False).order_by("pk").first()
    for width, height in SCREENS:
        browser.set_window_size(width, height)
        browser.get(f"{live_server.url}/admin/branches/organization/{school.pk}/change/")
        widest, page, window = browser.execute_script("""
            const groups = [...document.querySelectorAll('.inline-group')];
            return [Math.max(0, ...groups.map(g => g.scrollWidth - g.clientWidth)),
                    document.documentElement.scrollWidth, document.documentElement.clientWidth];""")
        assert browser.find_elements(By.CSS_SELECTOR, ".inline-group"), "the page shows its inlines"
        assert widest <= 0 and page <= window, f"the organization page at {width}px scrolls sideways"
        assert browser.save_screenshot(str(SCREENSHOTS / f"organization-change-{width}.png"))
