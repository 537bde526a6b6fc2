"""Debian's headless Chromium for the browser tests: the skip where it is missing, and one way to start it."""
import os
import pathlib

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOTS = pathlib.Path(__file__).resolve().parent.parent / "screenshots"  # git-ignored

needs_chromium = pytest.mark.skipif(
    not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)),
    reason=f"浏览器测试需要 {CHROMIUM} 和 {CHROMEDRIVER}（Debian: apt-get install chromium chromium-driver fonts-noto-cjk）",
)


def chromium(profile, *flags, mobile=None, prefs=None, capabilities=None):
    """A headless Chromium that asks nothing of the network, with `flags` added; `mobile` emulates a phone."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN",
                 f"--user-data-dir={profile}", *flags):
        options.add_argument(flag)
    if mobile:
        options.add_experimental_option("mobileEmulation", mobile)
    if prefs:
        options.add_experimental_option("prefs", prefs)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
