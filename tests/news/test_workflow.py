"""The approval workflow: Dissemination staff submit, the Head of section approves."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import GroupApprovalTask, Revision, Workflow, WorkflowPage, WorkflowTask
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from campaign.core.services import DISSEMINATION_STAFF, HEAD_OF_SECTION, roles_sync
from campaign.news.models import NewsIndexPage, NewsPage
from campaign.news.services import (
    NEWS_APPROVAL_TASK_NAME,
    NEWS_WORKFLOW_NAME,
    news_workflow_ensure,
    news_workflows_sync,
)
from tests.factories import NewsIndexPageFactory, NewsPageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    groups = roles_sync()
    return {
        "editor": UserFactory(username="editor", groups=[groups[DISSEMINATION_STAFF]]),
        "head": UserFactory(username="kepala", groups=[groups[HEAD_OF_SECTION]]),
    }


def _post_form(**extra):
    return nested_form_data(
        {
            "title": "Enam Tim Pendamping ke Kantor-Kantor",
            "slug": "enam-tim-pendamping",
            "date": "2020-02-17",
            "lead": "Setiap tim mendatangi 10–11 instansi sepekan.",
            "body": streamfield([("paragraph", rich_text("<p>Jemput bola.</p>"))]),
            "tags": "jemput bola",
            "related_links": inline_formset([]),
            **extra,
        }
    )


def _submit(client, user, index, **extra):
    client.force_login(user)
    url = reverse("wagtailadmin_pages:add", args=["news", "newspage", index.pk])
    response = client.post(url, {**_post_form(**extra), "action-submit": "Submit"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return NewsPage.objects.get(slug="enam-tim-pendamping")


def _approve(client, user, post):
    client.force_login(user)
    task_state = post.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[post.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 302
    post.refresh_from_db()
    return post


def test_workflow_is_set_up_once_for_the_head_of_section(news_index):
    first = news_workflow_ensure(index=news_index)
    second = news_workflow_ensure(index=news_index)

    assert first == second
    assert Workflow.objects.filter(name=NEWS_WORKFLOW_NAME).count() == 1
    task = GroupApprovalTask.objects.get(name=NEWS_APPROVAL_TASK_NAME)
    assert list(task.groups.values_list("name", flat=True)) == [HEAD_OF_SECTION]
    assert list(WorkflowTask.objects.filter(workflow=first).values_list("task", flat=True)) == [task.pk]
    assert WorkflowPage.objects.get(page=news_index).workflow == first
    # Posts inherit the index's workflow.
    assert NewsPageFactory(parent=news_index).get_workflow() == first


def test_workflow_belongs_on_a_news_index(home_page):
    with pytest.raises(ValidationError):
        news_workflow_ensure(index=home_page)


def test_data_step_gives_every_news_index_the_workflow_without_overriding_a_choice(home_page):
    index = NewsIndexPageFactory(parent=home_page)
    other = NewsIndexPageFactory(parent=home_page, slug="pengumuman")
    custom = Workflow.objects.create(name="Alur khusus")
    WorkflowPage.objects.create(page=other, workflow=custom)

    assert news_workflows_sync() == 2

    assert index.get_workflow().name == NEWS_WORKFLOW_NAME
    assert other.get_workflow() == custom


def test_staff_submit_and_the_head_of_section_publishes(client, news_index, people):
    news_workflow_ensure(index=news_index)

    post = _submit(client, people["editor"], news_index)

    assert not post.live
    assert post.workflow_in_progress
    assert post.current_workflow_task.name == NEWS_APPROVAL_TASK_NAME
    client.logout()
    assert client.get("/berita/enam-tim-pendamping/").status_code == 404

    # The editor cannot bypass the review: "publish" just saves a draft.
    client.force_login(people["editor"])
    edit_url = reverse("wagtailadmin_pages:edit", args=[post.pk])
    client.post(edit_url, {**_post_form(), "action-publish": "Publish"})
    post.refresh_from_db()
    assert not post.live
    assert post.current_workflow_task_state.task.specific.get_actions(post, people["editor"]) == []

    post = _approve(client, people["head"], post)

    assert post.live
    client.logout()
    response = client.get("/berita/enam-tim-pendamping/")
    assert response.status_code == 200
    assert "Enam Tim Pendamping ke Kantor-Kantor" in response.content.decode()


def test_approved_post_with_a_go_live_time_is_published_on_schedule(client, news_index, people, monkeypatch):
    news_workflow_ensure(index=news_index)
    go_live = timezone.localtime() + datetime.timedelta(days=2)
    post = _submit(client, people["editor"], news_index, go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))

    post = _approve(client, people["head"], post)

    assert not post.live
    assert Revision.page_revisions.filter(object_id=str(post.pk), approved_go_live_at__isnull=False).exists()
    call_command("publish_scheduled")
    post.refresh_from_db()
    assert not post.live

    # Three days later, the scheduled run (cron or a timer) publishes it.
    now = timezone.now
    with monkeypatch.context() as later:
        later.setattr(timezone, "now", lambda: now() + datetime.timedelta(days=3))
        call_command("publish_scheduled")
    post.refresh_from_db()
    assert post.live
    client.logout()
    assert "Enam Tim Pendamping" in client.get(news_index.url).content.decode()


def test_a_news_index_created_in_the_admin_gets_the_workflow(client, home_page):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("wagtailadmin_pages:add", args=["news", "newsindexpage", home_page.pk])
    data = nested_form_data({"title": "Pengumuman", "slug": "pengumuman", "intro": rich_text("")})

    response = client.post(url, {**data, "action-publish": "Publish"})

    assert response.status_code == 302
    index = NewsIndexPage.objects.get(slug="pengumuman")
    assert index.get_workflow().name == NEWS_WORKFLOW_NAME
