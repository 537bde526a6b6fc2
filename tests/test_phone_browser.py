"""A secretary on a phone (375 px): records a meeting with a photo, sees the to-do list, answers a return."""
import pytest
from browser import SCREENSHOTS, chromium, needs_chromium

from branches import models as m

pytestmark = needs_chromium


@pytest.fixture
def phone(tmp_path):
    driver = chromium(tmp_path / "profile", mobile={"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2}})
    yield driver
    driver.quit()


def no_horizontal_scroll(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def photo(tmp_path):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"\x00\xff\x00\x00" * 1  # one red pixel
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    path = tmp_path / "现场照片.png"
    path.write_bytes(png)
    return path


def test_a_secretary_records_a_meeting_and_answers_a_return_on_a_phone(
    transactional_db, django_db_serialized_rollback, live_server, phone, tmp_path, settings
):
    # serialized rollback: the roles' grants and the seeded catalogues, which an earlier transactional test's flush
    # took with the tables, are put back first
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from scoped_district import account

    settings.MEDIA_ROOT = str(tmp_path / "media")
    from conftest import Builder
    from accounts import roles

    build = Builder()
    branch = build.org("育英学校党支部")
    secretary = account("育英", roles.SECRETARY, branch)
    office = account("office", roles.ADMIN, build.root)
    phone.get(f"{live_server.url}/admin/login/?next=/m/")
    phone.find_element(By.NAME, "username").send_keys("育英")
    phone.find_element(By.NAME, "password").send_keys("a-long-test-password")
    phone.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(phone, 20).until(lambda d: "待办事项" in "".join(e.text for e in d.find_elements(By.TAG_NAME, "h1")))
    assert no_horizontal_scroll(phone)

    phone.find_element(By.LINK_TEXT, "登记组织生活").click()
    WebDriverWait(phone, 20).until(lambda d: d.find_elements(By.NAME, "organization"))
    Select(phone.find_element(By.NAME, "organization")).select_by_visible_text("育英学校党支部")
    Select(phone.find_element(By.NAME, "meeting_type")).select_by_visible_text("党员大会")
    phone.execute_script("document.getElementsByName('held_on')[0].value = '2023-03-28'")
    phone.find_element(By.NAME, "topic").send_keys("学习党章")
    phone.find_element(By.NAME, "present").send_keys("5")
    phone.find_element(By.NAME, "on_roll").send_keys("6")
    phone.find_element(By.NAME, "attachment").send_keys(str(photo(tmp_path)))
    assert no_horizontal_scroll(phone)
    SCREENSHOTS.mkdir(exist_ok=True)
    phone.save_screenshot(str(SCREENSHOTS / "phone-meeting.png"))
    phone.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(phone, 20).until(lambda d: d.find_elements(By.CLASS_NAME, "messages"))
    assert "等待组织科审核" in phone.find_element(By.CLASS_NAME, "messages").text

    meeting = m.Meeting.objects.get(organization=branch)
    assert (meeting.review_status, meeting.submitted_by_id, bool(meeting.attachment)) == (m.Review.PENDING, secretary.pk, True)
    meeting.return_to_submitter(office, "照片看不清签到表")
    meeting.save()

    phone.get(f"{live_server.url}/m/")
    phone.save_screenshot(str(SCREENSHOTS / "phone-todo.png"))
    assert "照片看不清签到表" in phone.page_source and no_horizontal_scroll(phone)
    phone.find_element(By.PARTIAL_LINK_TEXT, "组织生活：").click()
    WebDriverWait(phone, 20).until(lambda d: d.find_elements(By.NAME, "topic"))
    assert "组织科已退回：照片看不清签到表" in phone.page_source
    topic = phone.find_element(By.NAME, "topic")
    topic.clear()
    topic.send_keys("学习党章（补拍签到表）")
    phone.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(phone, 20).until(lambda d: d.find_elements(By.CLASS_NAME, "messages") or d.find_elements(By.CLASS_NAME, "errorlist"))
    errors = [e.text for e in phone.find_elements(By.CLASS_NAME, "errorlist")]
    assert not errors and "已提交" in phone.find_element(By.CLASS_NAME, "messages").text, errors
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.review_status) == ("学习党章（补拍签到表）", m.Review.PENDING)
