"""A regency office's staff write news in their office's section of the site (issue 19),
through the page explorer and the page editor, in a real browser: the explorer opens at
their section, they add a post there and submit it, and the province's pages are closed
to them."""

import pytest
from django.urls import reverse

from campaign.core.models import Office, OfficeMember
from campaign.core.services import DISSEMINATION_STAFF, roles_sync
from campaign.news.models import NewsPage
from campaign.news.services import news_workflow_ensure
from tests.browser.conftest import admin_sign_in, screenshot
from tests.browser.english import english_in
from tests.factories import NewsIndexPageFactory, NewsPageFactory, RegionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_regency_office_writes_a_post_in_its_own_section(live_server, page, wagtail_rows, home_page):
    ntt = RegionFactory(code="53", name="Nusa Tenggara Timur")
    kupang = RegionFactory(code="5371", name="Kota Kupang", parent=ntt)
    province_news = NewsIndexPageFactory(parent=home_page, title="Berita", slug="berita")
    section = NewsIndexPageFactory(parent=home_page, title="Berita BPS Kota Kupang", slug="berita-kupang")
    news_workflow_ensure(index=section)
    province_post = NewsPageFactory(parent=province_news, title="Kabar dari provinsi")
    NewsPageFactory(parent=section, title="Kabar pertama Kota Kupang")
    province = Office.objects.create(code="5300", name="BPS Provinsi NTT")
    province.area.set([ntt])
    province.save()
    office = Office.objects.create(code="5371", name="BPS Kota Kupang", parent=province, section=section)
    office.area.set([kupang])
    office.save()
    staff = UserFactory(username="staf_kupang", groups=[roles_sync()[DISSEMINATION_STAFF]])
    OfficeMember.objects.create(office=office, user=staff)

    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    autosaves_refused = []

    def autosave_refused(response):
        # Wagtail 8 autosaves the editor every 500 ms; while the new post is incomplete it
        # answers 400 with a validation error (shown in its indicator), which Chromium
        # logs as a failed resource. Only those are expected.
        if response.status == 400 and response.request.method == "POST" and "/admin/pages/" in response.url:
            if response.json().get("error_code") == "validation_error":
                autosaves_refused.append(response.url)

    page.on("response", autosave_refused)
    admin_sign_in(page, live_server, "staf_kupang", "correct horse battery")

    # The explorer opens at their section: their post is there, the province's is not.
    page.goto(live_server.url + reverse("wagtailadmin_explore_root"))
    assert page.get_by_text("Kabar pertama Kota Kupang").count() >= 1
    assert page.get_by_text("Kabar dari provinsi").count() == 0
    screenshot(page, "office-section-explorer")

    # A new post in the section, through the editor.
    page.locator(f"header a[href$='/pages/{section.pk}/add_subpage/']").first.click()
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "Tim Kota Kupang mendampingi Dinas Kesehatan")
    page.fill("#id_lead", "Tim pendamping membantu staf Dinas Kesehatan Kota Kupang mengisi sensus daring.")
    page.locator("[data-streamfield-action='ADD'], button[title='Sisipkan blok']").first.click()
    page.get_by_role("option", name="Paragraf").first.click()
    body = page.locator(".public-DraftEditor-content").last
    body.wait_for(state="visible")
    body.click()
    page.keyboard.type("Dua puluh staf selesai mengisi pada hari itu.")
    page.locator("#id_title").click()  # Draftail writes its hidden input after the edit settles
    page.wait_for_function(
        "() => [...document.querySelectorAll('form input[type=hidden], form textarea')]"
        ".some((field) => field.value.includes('Dua puluh staf'))",
        timeout=10_000,
    )
    screenshot(page, "office-section-new-post")
    page.locator(".w-dropdown-button").last.get_by_role("button", name="Tindakan lain").click()
    page.get_by_role("button", name="Ajukan ke Persetujuan berita").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "office-section-submitted")

    post = NewsPage.objects.get(title="Tim Kota Kupang mendampingi Dinas Kesehatan")
    assert post.get_parent().pk == section.pk
    assert not post.live and post.workflow_in_progress
    assert "Dua puluh staf" in str(post.get_latest_revision_as_object().body)

    # The province's post is not theirs to edit.
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[province_post.pk]))
    assert "/edit/" not in page.url  # Wagtail's refusal: back to the dashboard
    assert "Kabar dari provinsi" not in page.locator("main").inner_text()
    screenshot(page, "office-section-refused")
    # That dashboard, as a regency office's staff see it, is Indonesian.
    english = english_in(page.locator("main").inner_text())
    assert not english, english

    refused = [e for e in errors if "status of 400" in e]
    assert len(refused) == len(autosaves_refused)
    assert [e for e in errors if "status of 400" not in e] == []
    assert page.csp_violations == []
