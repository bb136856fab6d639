"""Public page layout in Chromium: the guide page's column on a desktop and a phone, and the
header's language button on a 360 px phone (issue 14, items 5 and 9)."""

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_materials import demo  # noqa: F401 - the guide demo, its images served

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def guide(demo):  # noqa: F811
    return demo["guide"]


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def _console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_guide_column_is_centred_on_a_desktop_and_the_header_spans_the_page(live_server, browser, guide):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors = _console_errors(page)
    page.goto(live_server.url + guide.url)

    header, footer, article = (
        _box(page, ".site-header"),
        _box(page, ".site-footer"),
        _box(page, "article.guide"),
    )
    # Header and footer run edge to edge, like on every other page.
    assert header["x"] == 0 and header["width"] == 1366
    assert footer["x"] == 0 and footer["width"] == 1366
    # The guide's own column is a readable measure, centred in the window.
    assert 600 <= article["width"] <= 760, article
    left, right = article["x"], 1366 - article["x"] - article["width"]
    assert abs(left - right) <= 2, (left, right)
    # The body is not narrowed (the old .guide rule on <body> made it 736 px, left-aligned).
    assert page.evaluate("document.body.getBoundingClientRect().width") == 1366
    assert errors == []
    screenshot(page, "guide-1366")
    context.close()


def test_the_guide_fits_a_360_px_phone_and_the_language_button_stays_on_one_line(
    live_server, phone_page, guide
):
    page = phone_page
    errors = _console_errors(page)
    page.goto(live_server.url + guide.url)

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    article = _box(page, "article.guide")
    assert article["x"] >= 0 and article["x"] + article["width"] <= 360

    button = page.locator(".lang a").first
    assert button.inner_text() == "Bahasa Inggris"
    box = button.bounding_box()
    line_height = button.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)")
    padding = button.evaluate(
        "a => parseFloat(getComputedStyle(a).paddingTop) + parseFloat(getComputedStyle(a).paddingBottom)"
    )
    # One line of text plus its padding and border: the outline is one unbroken box.
    assert box["height"] <= line_height + padding + 2 + 1, (box, line_height)
    assert button.evaluate("a => a.getClientRects().length") == 1
    assert box["x"] + box["width"] <= 360 - 8  # inside the page's padding
    screenshot(page, "guide-360")

    # The same in English, where the button reads "Indonesian".
    button.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    other = page.locator(".lang a").first
    assert other.evaluate("a => a.getClientRects().length") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []
