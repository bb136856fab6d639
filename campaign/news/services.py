"""Writes of the news app: news pages, the approval workflow, the public page cache."""

import datetime

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

from campaign.core.services import HEAD_OF_SECTION

from .models import NewsIndexPage, NewsPage, NewsPageRelatedLink

# Stored names, shown as they are in the admin and in Wagtail's notification emails:
# Indonesian, the admin's default language (migration 0002 renamed the English ones).
NEWS_WORKFLOW_NAME = "Persetujuan berita"
NEWS_APPROVAL_TASK_NAME = "Persetujuan kepala seksi"


# --- Approval workflow ----------------------------------------------------------------


@transaction.atomic
def news_workflow_ensure(*, index: Page) -> Workflow:
    """The news approval workflow, assigned to ``index``: Dissemination staff submit,
    the Head of section approves, and the post goes live (or at its scheduled time).

    Safe to run again: it repairs the workflow and its task, and assigns the workflow
    to the index unless an administrator gave the index another workflow on purpose.
    """
    index = index.specific
    if not isinstance(index, NewsIndexPage):
        raise ValidationError(_("The approval workflow belongs on a news index page."))
    head_of_section, _created = Group.objects.get_or_create(name=HEAD_OF_SECTION)
    workflow, _created = Workflow.objects.get_or_create(name=NEWS_WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = GroupApprovalTask.objects.filter(name=NEWS_APPROVAL_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=NEWS_APPROVAL_TASK_NAME)
    elif not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.set([head_of_section])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.get_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def news_workflows_sync(**kwargs) -> int:
    """Give every news index the approval workflow; the post_migrate data step."""
    indexes = list(NewsIndexPage.objects.all())
    for index in indexes:
        news_workflow_ensure(index=index)
    return len(indexes)


# --- News pages ---------------------------------------------------------------------


@transaction.atomic
def news_index_ensure(
    *,
    parent: Page,
    title: str,
    slug: str,
    intro: str = "",
    search_description: str = "",
    show_in_menus: bool = True,
) -> NewsIndexPage:
    """The news index under ``parent`` (the home page), published, in the menu unless
    told otherwise, with the approval workflow."""
    index = NewsIndexPage.objects.child_of(parent).filter(slug=slug).first()
    if index is None:
        index = NewsIndexPage(title=title, slug=slug, show_in_menus=show_in_menus)
        parent.add_child(instance=index)
    wanted = (title, intro, show_in_menus, search_description)
    if (index.title, index.intro, index.show_in_menus, index.search_description) != wanted or not index.live:
        index.title, index.intro, index.show_in_menus, index.search_description = wanted
        index.save_revision().publish()  # only when something changed: no empty revisions
    news_workflow_ensure(index=index)
    return index


@transaction.atomic
def news_page_save(
    *,
    index: NewsIndexPage,
    slug: str,
    title: str,
    date: datetime.date,
    lead: str,
    body,
    reporter: str = "",
    editor: str = "",
    tags=(),
    region=None,
    hero_image=None,
    hero_caption: str = "",
    hero_credit: str = "",
    related=(),
    search_description: str = "",
    publish: bool = True,
    go_live_at: datetime.datetime | None = None,
    user=None,
) -> NewsPage:
    """Create or update the post ``slug`` under ``index`` and save a revision.

    ``publish`` publishes the revision at once, bypassing the approval workflow: for
    imports and demo data run by the system, never for staff (they go through the
    admin, where the workflow applies). With a future ``go_live_at`` the published
    revision is scheduled: the post goes live then (``publish_scheduled``).
    """
    post = NewsPage.objects.child_of(index).filter(slug=slug).first()
    creating = post is None
    if creating:
        post = NewsPage(slug=slug, live=False)
    for name, value in {
        "title": title,
        "date": date,
        "lead": lead,
        "body": body,
        "reporter": reporter,
        "editor": editor,
        "region": region,
        "hero_image": hero_image,
        "hero_caption": hero_caption,
        "hero_credit": hero_credit,
        "search_description": search_description,
    }.items():
        setattr(post, name, value)
    post.tags.set(list(tags))
    post.related_links = [
        NewsPageRelatedLink(related=other, sort_order=number) for number, other in enumerate(related)
    ]
    if go_live_at is not None:
        post.go_live_at = go_live_at
    if creating:
        post.owner = user
        index.add_child(instance=post)
    revision = post.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return post


@transaction.atomic
def news_related_set(*, post: NewsPage, related) -> NewsPage:
    """Replace the editor's "Read also" picks; publishes them if the post is live."""
    related = list(related)
    if any(other.pk == post.pk for other in related):
        raise ValidationError(_("A post cannot be related to itself."))
    # A post with unpublished changes keeps its links in its latest revision.
    latest = post.get_latest_revision_as_object() if post.has_unpublished_changes else post
    current = [link.related_id for link in latest.related_links.all()]
    if current == [other.pk for other in related]:
        return post
    post.related_links = [
        NewsPageRelatedLink(related=other, sort_order=number) for number, other in enumerate(related)
    ]
    revision = post.save_revision(log_action=True)
    if post.live:
        revision.publish()
    return post
