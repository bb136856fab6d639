from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import WorkflowState

from campaign.core.demo import demo_calendar
from campaign.core.models import HomePage, Office
from campaign.news.demo import DRAFT
from campaign.news.models import NewsIndexPage, NewsPage
from campaign.news.services import NEWS_WORKFLOW_NAME

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "posts": NewsPage.objects.count(),
        "live": NewsPage.objects.live().count(),
        "images": get_image_model().objects.count(),
        "documents": get_document_model().objects.count(),
        "tags": Tag.objects.count(),
        "moderation": WorkflowState.objects.count(),
    }


def test_demo_news_is_linked_from_home_reviewed_by_workflow_and_idempotent(client, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    first = _counts()
    call_command("load_demo_data", stdout=StringIO())
    settings.DEBUG = False

    assert _counts() == first
    # On the demo calendar, posts of days still ahead are scheduled, the rest are public.
    today = timezone.localdate()
    published = [p for p in NewsPage.objects.exclude(slug=DRAFT["slug"]) if p.date <= today]
    scheduled = NewsPage.objects.exclude(slug=DRAFT["slug"]).filter(date__gt=today)
    assert first["posts"] == 14  # one of them BPS Kota Kupang's, one a draft in review
    assert first["live"] == len(published) >= 1
    assert scheduled.exists() or today.year > 2020
    assert all(not post.live and post.go_live_at is not None for post in scheduled)
    assert first["moderation"] == 1
    index = NewsIndexPage.objects.get(slug="berita")
    assert index.get_parent().specific_class is HomePage and index.show_in_menus
    assert index.get_workflow().name == NEWS_WORKFLOW_NAME
    # BPS Kota Kupang's own section (issue 19): the office's section, off the site menu.
    section = NewsIndexPage.objects.get(slug="berita-kota-kupang")
    assert Office.objects.get(code="5371").section_id == section.pk
    assert not section.show_in_menus and section.live
    assert NewsPage.objects.child_of(section).count() == 1
    draft = NewsPage.objects.get(slug=DRAFT["slug"])
    assert draft.workflow_in_progress

    home = client.get("/").content.decode()
    assert f'href="{index.url}"' in home
    listing = client.get(index.url).content.decode()
    for post in published:
        listed = post.get_parent().pk == index.pk  # the office section's post is listed there
        assert (escape(post.title) in listing) is listed, post.title
    section_post = NewsPage.objects.child_of(section).get()
    section_listing = client.get(section.url).content.decode()
    assert (escape(section_post.title) in section_listing) is section_post.live
    post = NewsPage.objects.get(slug="981552-warga-ntt-sudah-isi-sensus-online")
    # The 2020 figures stay; the dates the text names move with the demo's calendar, and
    # the post goes public on its day.
    revision = post.latest_revision.as_object()
    with translation.override("id"):
        day = date_format(demo_calendar().day(2020, 5, 28), "j F Y")
    assert f"Hingga {day}, 981.552 penduduk NTT" in revision.lead
    assert "2020" not in revision.lead.replace("Sensus Penduduk 2020", "")
    assert post.region.code == "53" and post.hero_image is not None
    assert {tag.slug for tag in post.tags.all()} == {"hasil", "sensus-online"}
    kupang = client.get(index.url, {"region": "5371"}).content.decode()
    if NewsPage.objects.live().filter(slug__contains="enam-tim").exists():
        assert "Enam Tim Pendamping" in kupang and "Rakorcam" not in kupang
