"""Every role walks the admin in Chromium: every menu entry, every create and edit form of
the project's snippets, every edit form of the project's page types. On each form it opens
every chooser, picks a value in the modal, and saves. Any console error, CSP violation or
English phrase the Indonesian admin must not show fails the walk.

Menu entries, forms and choosers are discovered (Wagtail's menu registry, the snippet
registry, the page models, the chooser widgets on the page), not listed by hand, so a
new viewset or a rewritten form is walked without touching this file.
"""

import contextlib

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import re_path, reverse
from django.views.static import serve
from PIL import Image as PILImage
from playwright.sync_api import Error as PlaywrightError
from wagtail.admin.menu import MenuItem, SubmenuMenuItem, admin_menu
from wagtail.models import Page, get_page_models
from wagtail.snippets.models import get_snippet_models

from campaign.core.services import HEAD_OF_SECTION, ROLE_PERMISSIONS, roles_sync
from campaign.urls import urlpatterns as project_urlpatterns
from tests.browser.conftest import screenshot
from tests.browser.english import english_in
from tests.factories import UserFactory
from tests.security.conftest import PASSWORD, files_and_cache, world  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def wagtail_rows(django_db_setup, transactional_db):
    """What Wagtail's migrations create and a transactional test's flush removes: the
    default locale, the root page and the root collection."""
    from wagtail.models import Collection, Locale

    locale, _ = Locale.objects.get_or_create(language_code=django_settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(title="Root", slug="root", locale=locale)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def _media(request, path):
    return serve(request, path, document_root=django_settings.MEDIA_ROOT)


# The project's URLs plus uploaded files (image previews in choosers), which only DEBUG serves.
urlpatterns = [re_path(r"^media/(?P<path>.*)$", _media), *project_urlpatterns]

ROLES = ["admin", "editor", "kepala", "member"]


class Watch:
    """Console errors, uncaught exceptions and CSP violations of one page."""

    def __init__(self, page):
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))

    def _console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def take(self):
        problems, self.problems = self.problems, []
        return problems


def _visible_text(page):
    """What a person reads: the rendered text, the sidebar's labels (rendered by React from
    JSON), placeholders, titles and accessible names."""
    return page.evaluate(
        """() => {
            const parts = [document.body.innerText, document.title];
            const props = document.getElementById('wagtail-sidebar-props');
            if (props) parts.push(props.textContent);
            for (const el of document.querySelectorAll('[placeholder],[aria-label],[title]')) {
                for (const a of ['placeholder', 'aria-label', 'title']) {
                    if (el.getAttribute(a)) parts.push(el.getAttribute(a));
                }
            }
            return parts.join('\\n');
        }"""
    )


def _check(page, watch, where, failures):
    """Note console errors, CSP violations and English on the current screen."""
    page.wait_for_load_state("networkidle")
    for problem in watch.take():
        failures.append(f"{where}: {problem[:300]}")
    english = english_in(_visible_text(page))
    if english:
        failures.append(f"{where}: English in the Indonesian admin: {english}")


def _request_for(user):
    request = RequestFactory().get("/admin/")
    request.user = user or AnonymousUser()
    request.session = SessionStore()
    request.LANGUAGE_CODE = "id"
    return request


def _menu_urls(request):
    """Every URL of Wagtail's main menu the user sees, submenus included."""
    urls = []

    def walk(items):
        for item in items:
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu.menu_items_for_request(request))
            # Wagtail's help menu links its English user guide on wagtail.org: not ours.
            elif isinstance(item, MenuItem) and item.url.startswith("/"):
                urls.append(item.url)

    walk(admin_menu.menu_items_for_request(request))
    return list(dict.fromkeys(urls))


def _role_writable(model):
    """Models a role of the project may add or change; the rest (recipients, tracking
    events, the outbox) are records the system writes, read-only in the admin."""
    codenames = {f"{model._meta.app_label}.{action}_{model._meta.model_name}" for action in ("add", "change")}
    return any(codenames & set(permissions) for permissions in ROLE_PERMISSIONS.values())


def _project_snippet_forms(user, request):
    """(label, url) of the create and edit form of every project snippet the user may use."""
    forms = []
    for model in get_snippet_models():
        if not model.__module__.startswith("campaign."):
            continue
        viewset = model.snippet_viewset
        policy = viewset.permission_policy
        label = model._meta.label
        if not _role_writable(model):
            continue
        if policy.user_has_permission(user, "add"):
            forms.append((f"{label} add", reverse(viewset.get_url_name("add"))))
        instance = policy.instances_user_has_permission_for(user, "change").order_by("pk").first()
        if instance is not None:
            forms.append((f"{label} edit", reverse(viewset.get_url_name("edit"), args=[instance.pk])))
    return forms


def _project_page_forms(user):
    forms = []
    for model in get_page_models():
        if not model.__module__.startswith("campaign."):
            continue
        page = model.objects.order_by("pk").first()
        if page is not None and page.permissions_for_user(user).can_edit():
            forms.append((f"{model._meta.label} edit", reverse("wagtailadmin_pages:edit", args=[page.pk])))
    return forms


def _pick_in_modal(page, shot=None):
    modal = page.locator(".modal.show, .modal.in").last
    modal.wait_for(state="visible", timeout=5_000)
    choice = modal.locator("a[data-chooser-modal-choice], a.choose-page").first
    checkbox = modal.locator("[data-multiple-choice-form] input[type=checkbox]").first
    choice.or_(checkbox).first.wait_for(state="visible", timeout=5_000)
    if shot:
        screenshot(page, shot)
    if checkbox.is_visible():
        checkbox.check()
        modal.locator("[data-multiple-choice-form] button[type=submit]").click()
    else:
        choice.click()
    modal.wait_for(state="hidden", timeout=5_000)


def _open_every_chooser(page, watch, where, failures):
    """Click each chooser on the form, wait for its modal and pick the first value offered."""
    choosers = page.locator("[data-chooser-url]")
    opened = 0
    for index in range(choosers.count()):
        chooser = choosers.nth(index)
        if not chooser.is_visible():
            continue
        unchosen = chooser.locator(".unchosen [data-chooser-action-choose]")
        if unchosen.is_visible():
            unchosen.click()
        else:
            chooser.locator("[data-w-dropdown-target=toggle], .w-dropdown__toggle").first.click()
            chooser.locator(".chosen [data-chooser-action-choose]").click()
        # The batch form with its first chooser open, for people to look at.
        _pick_in_modal(
            page, "batch-chooser-open" if where == "invitations.Batch add" and not opened else None
        )
        opened += 1
        _check(page, watch, f"{where} chooser {index}", failures)
    for button in page.locator("button[id$='-OPEN_MODAL']").all():
        if button.is_visible():
            button.click()
            _pick_in_modal(page)
            opened += 1
    return opened


def _fill_required(page):
    """Give every empty required field a plain value (new objects only)."""
    for field in page.locator("form [required]").all():
        if not field.is_visible() or not field.is_enabled():
            continue
        tag = field.evaluate("e => e.tagName.toLowerCase()")
        kind = (field.get_attribute("type") or "").lower()
        if tag == "select":
            if not field.input_value():
                values = [v for v in field.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
                field.select_option(values[0])
        elif kind in ("checkbox", "radio"):
            continue
        elif not field.input_value():
            value = {"email": "uji@example.org", "url": "https://example.org/", "number": "1"}.get(kind)
            field.fill(value or "Uji jalan admin")
    # A date field's calendar stays open over the form's footer until one clicks
    # elsewhere, as a person does before saving. It opens a moment after its field takes
    # the focus, so a click that comes first is followed by another.
    for _attempt in range(5):
        page.wait_for_timeout(300)
        if not page.locator(".xdsoft_datetimepicker:visible").count():
            break
        page.mouse.click(640, 8)  # the sticky header's empty middle


def _save(page, watch, where, failures):
    """Save, and check the screen that follows. Whether the form accepts the values picked
    is reported, not asserted for each form: the walk types the same plain value into
    every field, which a domain rule may rightly refuse (a session outside the campaign
    period, a second campaign with the same name); the journeys in tests/browser assert
    saves of real data."""
    page.locator("button.action-save:not([disabled])").first.click()
    page.wait_for_load_state("networkidle")
    _check(page, watch, f"{where} saved", failures)
    return page.locator(".messages .success").count() > 0


@contextlib.contextmanager
def _noting(failures, where, page=None):
    """Record a failed step and go on with the next form, so one run reports them all."""
    try:
        yield
    except (AssertionError, PlaywrightError) as error:
        failures.append(f"{where}: {str(error).splitlines()[0][:600]}")
        if page is not None:
            screenshot(page, f"walk-failed-{len(failures)}")


def _kepala(world):  # noqa: F811 - the fixture's value
    """The head of section, and the world's image and documents where staff's collection
    permissions reach them (wagtail_factories puts each in a collection of its own)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    groups = roles_sync()
    world.users["kepala"] = UserFactory(username="kepala", groups=[groups[HEAD_OF_SECTION]])
    get_image_model().objects.update(collection=Collection.get_first_root_node())
    get_document_model().objects.update(collection=Collection.get_first_root_node())
    return world


@pytest.fixture
def signed_in(request, world, live_server, browser, settings):  # noqa: F811
    settings.ROOT_URLCONF = __name__
    role = request.param
    _kepala(world)
    user = world.users[role]
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Makassar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(page)
    failures = []
    page.goto(live_server.url + reverse("wagtailadmin_login"))
    _check(page, watch, "login", failures)
    _log_in(page, user)
    yield page, watch, user, failures
    context.close()


# Part of `make test` (about two minutes a role); `make walk` runs it alone. Before the
# admin CSP fix it reported 37 CSP violations; later runs found region choosers offering
# levels the form refuses, Wagtail strings left in English, a member unable to choose the
# campaign of a Rakorcam, and /admin/jsi18n/ answering 500 under the live server's
# concurrent requests (the shared in-memory SQLite connection), all fixed.
@pytest.mark.walk
@pytest.mark.parametrize("signed_in", ROLES, indirect=True)
def test_role_walks_every_menu_entry_and_form(signed_in, live_server):
    page, watch, user, failures = signed_in
    request = _request_for(user)

    menu = _menu_urls(request)
    assert menu, "the role sees no menu"
    # The account page is in the user's own menu (language, time zone, password).
    for url in [*menu, reverse("wagtailadmin_account")]:
        with _noting(failures, url, page):
            response = page.goto(live_server.url + url)
            assert response.ok, f"{url}: {response.status}"
            _check(page, watch, url, failures)

    forms = _project_snippet_forms(user, request) + _project_page_forms(user)
    assert forms, "the role may use no form"
    choosers, saved = [], []
    for where, url in forms:
        with _noting(failures, where, page):
            response = page.goto(live_server.url + url)
            if "/login/" in page.url:  # a refused save can end the session: sign in again
                _log_in(page, user)
                response = page.goto(live_server.url + url)
            assert response.ok, f"{where}: {response.status}"
            _check(page, watch, where, failures)
            choosers.append(_open_every_chooser(page, watch, where, failures))
            if where.endswith(" add"):
                _fill_required(page)
            saved.append(_save(page, watch, where, failures))
    assert not failures, "\n".join(failures)
    assert sum(choosers), "no chooser was opened"
    assert any(saved), "no form saved"


def _log_in(page, user):
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _sign_in(browser, live_server, user):
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Makassar")
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch = Watch(page)
    page.goto(live_server.url + reverse("wagtailadmin_login"))
    _log_in(page, user)
    return page, watch


def test_editor_adds_an_image_to_a_post_and_the_head_of_section_approves_it(
    world,  # noqa: F811
    live_server,
    browser,
    settings,
    mailoutbox,
    tmp_path,
):
    """Through the UI only, in Indonesian: the editor chooses an image for a news post in
    the image chooser and submits the post to the approval workflow; the head of section
    approves it from the editor; the post is live with its image, and the notification
    email that reached the head of section is Indonesian."""
    from wagtail.images import get_image_model
    from wagtail.models import WorkflowState

    from campaign.news.models import NewsPage
    from campaign.news.services import news_workflow_ensure

    settings.ROOT_URLCONF = __name__
    _kepala(world)
    news = NewsPage.objects.get(pk=world.objects["news"].pk)
    assert news.hero_image is None
    # As the admin's after_create_page hook does for an index made in the admin.
    news_workflow_ensure(index=news.get_parent())
    failures = []

    page, watch = _sign_in(browser, live_server, world.users["editor"])
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[news.pk]))
    _check(page, watch, "editor opens the post", failures)
    chooser = page.locator("#id_hero_image-chooser")
    chooser.get_by_role("button", name="Pilih sebuah gambar").click()
    # A new photo, uploaded in the chooser's upload tab.
    modal = page.locator(".modal").last
    modal.get_by_role("tab", name="Unggah").click()
    modal.get_by_label("Judul").fill("Tim pendamping di Dukcapil")
    photo = tmp_path / "tim-pendamping.png"
    PILImage.new("RGB", (640, 400), (30, 120, 110)).save(photo)
    modal.locator("input[type=file]").set_input_files(str(photo))
    screenshot(page, "news-image-upload")
    modal.locator("form[data-chooser-modal-creation-form] button[type=submit]").click()
    modal.wait_for(state="hidden")
    assert chooser.locator("[data-chooser-title]").inner_text().strip() == "Tim pendamping di Dukcapil"
    _check(page, watch, "editor chose the image", failures)
    page.locator(".w-dropdown-button").last.get_by_role("button", name="Tindakan lain").click()
    page.get_by_role("button", name="Ajukan ke Persetujuan berita").click()
    page.wait_for_load_state("networkidle")
    _check(page, watch, "editor submitted", failures)
    page.context.close()
    state = WorkflowState.objects.get(object_id=str(news.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    page, watch = _sign_in(browser, live_server, world.users["kepala"])
    page.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[news.pk]))
    _check(page, watch, "head of section opens the post", failures)
    page.locator(".w-dropdown-button").last.get_by_role("button", name="Tindakan lain").click()
    screenshot(page, "news-approval-actions")
    page.get_by_role("button", name="Setujui dan Publikasikan", exact=True).click()
    page.wait_for_load_state("networkidle")
    _check(page, watch, "head of section approved", failures)
    page.context.close()

    news.refresh_from_db()
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert news.live and news.hero_image == get_image_model().objects.get(title="Tim pendamping di Dukcapil")
    submitted = [m for m in mailoutbox if world.users["kepala"].email in m.to]
    assert submitted, "the head of section got no notification"
    for message in submitted:
        english = english_in(f"{message.subject}\n{message.body}")
        assert not english, f"notification email in English: {english}\n{message.body}"
    assert not failures, "\n".join(failures)
