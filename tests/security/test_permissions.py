"""Every URL the project defines, requested by every role, answers the status in this
table. A project URL without a row fails the suite, so a new view cannot ship without an
access decision.

Roles: ``anonymous``; ``other_member`` (field team member of the *other* team: the
objects in the URLs belong to team 1); ``member`` (field team member of team 1);
``editor`` (Dissemination staff); ``admin`` (superuser); ``token`` (no account, but
holds the personal links: a media partner's press link, an institution's guide link, a
contact's RSVP and unsubscribe links). Every role but ``token`` gets token URLs with a
forged token.

Statuses: an int, or ``"login"`` for a redirect to a login page. A row outside a user's
scope (another team's, or of a model they may not see) is a 404.

Every URL of every snippet ViewSet, for every role and view kind, is in
``test_viewset_permissions.py`` (generated from the ViewSets); this table keeps our own
views and a sample of the ViewSets' URLs.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.http import drain
from tests.security.routes import project_route_names

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "other_member", "member", "editor", "admin", "token")
FORGED = "eyJmb3JnZWQiOjF9:1vAAAA:forged-token-signature-AAAAAAAAAAAAAAAAAAAA"


def _o(name, attr="pk"):
    return lambda w: getattr(w.objects[name], attr)


def _t(kind):
    return lambda w, role: w.tokens[kind] if role == "token" else FORGED


def _rendition(w):
    """A rendition of the live press room's photo: public under /media/."""
    return w.objects["media_item"].image.get_rendition("width-100").file.name


# URL name → kwargs (values: callables of the world, or of the world and the role for tokens).
KWARGS = {
    "fieldapp:api_session": {"pk": _o("guidedsession")},
    "fieldapp_sign_out_everywhere": {"pk": lambda w: w.users["member"].pk},
    "institutions_contact_erase": {"pk": _o("contact")},
    "institutions_import_run": {"pk": _o("import_run")},
    "response_import_run": {"pk": lambda w: _count_import(w)},
    "institutions_import_template": {"fmt": "csv"},
    "invitations:rsvp": {"token": _t("rsvp")},
    "institutions:completion_report": {"token": _t("completion")},
    "media": {"path": lambda w: _rendition(w)},
    "invitations:unsubscribe": {"token": _t("unsubscribe")},
    "invitations_audience_report": {"pk": _o("audience")},
    "invitations_batch_action": {"pk": _o("batch"), "action": "pause"},
    "invitations_batch_report": {"pk": _o("batch")},
    "invitations_batch_click_to_chat": {"pk": _o("batch")},
    "invitations_recipient_click_to_chat": {"pk": _o("recipient")},
    "invitations:short": {"code": lambda w, role: w.tokens["short"] if role == "token" else "zz-s0000000000"},
    "invitations_institution_history": {"pk": _o("institution")},
    "invitations_outbox_html": {"pk": _o("outboxmessage")},
    "invitations_template_preview": {"pk": _o("emailtemplate")},
    "invitations_template_preview_html": {"pk": _o("emailtemplate")},
    "materials:guide_download": {"token": _t("guide")},
    "materials:guide_download_pdf": {"token": _t("guide"), "size": "a4"},
    "materials:guide_print": {"guide_id": _o("guide"), "kind": "sheet", "size": "a4"},
    "materials:media_download": {"item_id": _o("media_item"), "size": "web"},
    "materials:press_preview": {"token": _t("press")},
    "materials:press_preview_document": {
        "token": _t("press"),
        "page_id": _o("release"),
        "document_id": _o("document"),
    },
    "materials:press_preview_media": {"token": _t("press"), "path": lambda w: _rendition(w)},
    "materials:press_preview_release": {"token": _t("press"), "page_id": _o("release")},
    "materials:press_preview_zip": {"token": _t("press"), "page_id": _o("release")},
    "materials:qr": {"code": lambda w: w.tokens["qr"]},
    "materials:release_zip": {"page_id": _o("release")},
    "materials_institution": {"institution_id": _o("institution")},
    "materials_institution_guide": {"institution_id": _o("institution")},
    "materials_pack": {"pk": _o("pack")},
    "materials_pack_download": {"pk": _o("pack")},
    "news:tag_feed_atom": {"tag": "sensus-online"},
    "news:tag_feed_rss": {"tag": "sensus-online"},
    "wagtailsnippets_institutions_contact:inspect": {"pk": _o("contact")},
    "wagtailsnippets_institutions_institution:inspect": {"pk": _o("institution")},
    "wagtailsnippets_institutions_guidedsession:edit": {"pk": _o("guidedsession")},
    "wagtailsnippets_institutions_guidedsession:delete": {"pk": _o("guidedsession")},
    "wagtailsnippets_invitations_recipient:inspect": {"pk": _o("recipient")},
    "wagtailsnippets_invitations_letter:inspect": {"pk": _o("letter")},
    "wagtailsnippets_institutions_personaldatalog:inspect": {"pk": _o("personaldatalog")},
    "invitations_batch_letters": {"pk": _o("letter_batch")},
    "invitations_letter_pdf": {"pk": _o("letter")},
    # Wagtail's own views, as a sample.
    "wagtailsnippets_institutions_team:edit": {"pk": _o("team")},
    "wagtailsnippets_institutions_institution:edit": {"pk": _o("institution")},
    "wagtailsnippets_invitations_emailtemplate:edit": {"pk": _o("emailtemplate")},
    "wagtailsnippets_invitations_batch:edit": {"pk": _o("batch")},
    "wagtailsnippets_invitations_outboxmessage:inspect": {"pk": _o("outboxmessage")},
    "wagtaildocs_serve": [_o("document"), "fakta.pdf"],
    "wagtailsettings:edit": {"app_name": "core", "model_name": "campaignsettings"},
    "wagtailsnippets_core_campaign:carry_over": {"pk": _o("campaign")},
    "wagtailsnippets_core_campaign:edit": {"pk": _o("campaign")},
}

# Wagtail's own admin views, checked as a representative sample (not discovered).
WAGTAIL_SAMPLE = {
    "wagtailadmin_home",
    "wagtailadmin_explore_root",
    "wagtailimages:index",
    "wagtaildocs:index",
    "wagtaildocs_serve",
    "wagtailusers_users:index",
    "wagtailsettings:edit",
    "wagtailsnippets_institutions_team:edit",
    "wagtailsnippets_institutions_institution:edit",
    "wagtailsnippets_invitations_emailtemplate:edit",
    "wagtailsnippets_institutions_guidedsession:add",
    "wagtailsnippets_institutions_guidedsession:edit",
    "wagtailsnippets_institutions_guidedsession:delete",
}

# Public pages (Wagtail's serve view): path → statuses.
PAGES = {
    "/": None,
    "/berita/": None,
    "/panduan/cara-mengisi/": None,
    "/ruang-pers/": None,
}

L = "login"
# fmt: off
EXPECTED = {
    # name: (anonymous, other_member, member, editor, admin, token)
    "fieldapp:api_meetings": (405, 405, 405, 405, 405, 405),
    "fieldapp:api_session": (405, 405, 405, 405, 405, 405),
    "fieldapp:api_sessions": (405, 405, 405, 405, 405, 405),
    "fieldapp:api_week": (401, 200, 200, 403, 403, 401),
    "fieldapp:login": (200, 302, 302, 302, 302, 200),
    "fieldapp:logout": (405, 405, 405, 405, 405, 405),
    "fieldapp:manifest": (200, 200, 200, 200, 200, 200),
    "fieldapp:openapi": (200, 200, 200, 200, 200, 200),
    "fieldapp:shell": (L, 200, 200, 200, 200, L),
    "fieldapp:sw": (200, 200, 200, 200, 200, 200),
    "fieldapp_sign_out_everywhere": (L, 302, 200, 302, 200, L),
    "healthz": (200, 200, 200, 200, 200, 200),
    "institutions_contact_duplicates": (L, 302, 302, 200, 200, L),
    "institutions_contact_erase": (L, 302, 302, 200, 200, L),
    "institutions_dashboard": (L, 200, 200, 200, 200, L),
    "institutions_import": (L, 302, 302, 200, 200, L),
    "institutions_import_run": (L, 302, 302, 200, 200, L),
    "institutions_import_template": (L, 302, 302, 200, 200, L),
    "institutions_planning": (L, 200, 200, 200, 200, L),
    "response_import": (L, 302, 302, 200, 200, L),
    "response_import_run": (L, 302, 302, 200, 200, L),
    "response_proposal": (L, 200, 200, 200, 200, L),
    "response_report_uplift": (L, 302, 302, 200, 200, L),
    "response_report_uplift_results": (L, 302, 302, 200, 200, L),
    # Public, but opt in: the world has not published its progress.
    "response_public_progress": (404, 404, 404, 404, 404, 404),
    "response_public_widget": (404, 404, 404, 404, 404, 404),
    "institutions_report_not_reached": (L, 200, 200, 200, 200, L),
    "institutions_report_not_reached_results": (L, 200, 200, 200, 200, L),
    "institutions_report_sessions": (L, 200, 200, 200, 200, L),
    "institutions_report_sessions_results": (L, 200, 200, 200, 200, L),
    "institutions_report_team_performance": (L, 200, 200, 200, 200, L),
    "institutions_report_team_performance_results": (L, 200, 200, 200, 200, L),
    "institutions_weekly_report": (L, 200, 200, 200, 200, L),
    "media": (200, 200, 200, 200, 200, 200),
    "invitations:rsvp": (404, 404, 404, 404, 404, 200),
    "institutions:completion_report": (404, 404, 404, 404, 404, 200),
    "invitations:unsubscribe": (404, 404, 404, 404, 404, 200),
    "invitations_audience_report": (L, 302, 302, 200, 200, L),
    "invitations_batch_action": (L, 405, 405, 405, 405, L),
    "invitations_batch_report": (L, 302, 302, 200, 200, L),
    "invitations_batch_click_to_chat": (L, 302, 302, 200, 200, L),
    "invitations_channels_report": (L, 302, 302, 200, 200, L),
    "invitations_recipient_click_to_chat": (L, 405, 405, 405, 405, L),
    # An SMS's short link: a redirect to the RSVP page with a valid code only.
    "invitations:short": (404, 404, 404, 404, 404, 302),
    # Meta's verification GET without the verify token.
    "invitations:whatsapp_webhook": (403, 403, 403, 403, 403, 403),
    # Twilio's status callback takes only a signed POST.
    "invitations:sms_status_webhook": (405, 405, 405, 405, 405, 405),
    "invitations_institution_history": (L, 302, 302, 200, 200, L),
    "invitations_outbox_html": (L, 302, 302, 200, 200, L),
    "invitations_template_preview": (L, 302, 302, 200, 200, L),
    "invitations_template_preview_html": (L, 302, 302, 200, 200, L),
    "materials:guide_download": (404, 404, 404, 404, 404, 200),
    "materials:guide_download_pdf": (404, 404, 404, 404, 404, 200),
    "materials:guide_print": (200, 200, 200, 200, 200, 200),
    "materials:media_download": (200, 200, 200, 200, 200, 200),
    "materials:press_preview": (404, 404, 404, 404, 404, 200),
    "materials:press_preview_document": (404, 404, 404, 404, 404, 200),
    "materials:press_preview_media": (404, 404, 404, 404, 404, 200),
    "materials:press_preview_release": (404, 404, 404, 404, 404, 200),
    "materials:press_preview_zip": (404, 404, 404, 404, 404, 200),
    "materials:qr": (302, 302, 302, 302, 302, 302),
    "materials:release_zip": (200, 200, 200, 200, 200, 200),
    "materials_institution": (L, 200, 200, 200, 200, L),
    "materials_institution_guide": (L, 200, 200, 200, 200, L),
    "materials_pack": (L, 200, 200, 200, 200, L),
    "materials_pack_download": (L, 404, 404, 404, 404, L),
    "materials_packs": (L, 200, 200, 200, 200, L),
    "materials_press_links": (L, 302, 302, 200, 200, L),
    "materials_scans_guides": (L, 302, 302, 200, 200, L),
    "materials_scans_guides_results": (L, 302, 302, 200, 200, L),
    "materials_scans_institutions": (L, 302, 302, 200, 200, L),
    "materials_scans_institutions_results": (L, 302, 302, 200, 200, L),
    "news:feed_atom": (200, 200, 200, 200, 200, 200),
    "news:feed_rss": (200, 200, 200, 200, 200, 200),
    "news:tag_feed_atom": (200, 200, 200, 200, 200, 200),
    "news:tag_feed_rss": (200, 200, 200, 200, 200, 200),
    "set_language": (302, 302, 302, 302, 302, 302),
    "sitemap": (200, 200, 200, 200, 200, 200),
    "wagtailadmin_explore_root": (L, 302, 302, 200, 200, L),
    "wagtailadmin_home": (L, 200, 200, 200, 200, L),
    "wagtaildocs:index": (L, 302, 302, 200, 200, L),
    "wagtaildocs_serve": (200, 200, 200, 200, 200, 200),
    "wagtailimages:index": (L, 302, 302, 200, 200, L),
    "wagtailsettings:edit": (L, 302, 302, 302, 302, L),
    "wagtailsnippets_core_campaign:list": (L, 200, 200, 200, 200, L),  # members read it
    "wagtailsnippets_core_region:list": (L, 200, 200, 200, 200, L),
    # "New campaign from this one": the province's dissemination staff and superusers.
    "wagtailsnippets_core_campaign:carry_over": (L, 302, 302, 200, 200, L),
    # The campaign's list and form carry the "New campaign from this one" button.
    "wagtailsnippets_core_campaign:list_results": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_core_campaign:edit": (L, 302, 302, 200, 200, L),
    # The office tree: the province's staff (no office: province-wide) manage it.
    "wagtailsnippets_core_office:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_institutions_assignment:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_response_officialcount:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_response_officialcount:list_results": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_contact:inspect": (L, 404, 200, 200, 200, L),
    "wagtailsnippets_institutions_contact:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_contact:list_results": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_coordinationmeeting:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_guidedsession:add": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_guidedsession:delete": (L, 404, 302, 200, 200, L),
    "wagtailsnippets_institutions_guidedsession:edit": (L, 404, 200, 200, 200, L),
    "wagtailsnippets_institutions_guidedsession:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_guidedsession:list_results": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_institution:edit": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_institutions_institution:inspect": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_institution:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_institution:list_results": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_institutionkind:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_mediapartner:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_mediapartner:list_results": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_institutions_team:edit": (L, 404, 302, 200, 200, L),
    "wagtailsnippets_institutions_team:list": (L, 200, 200, 200, 200, L),
    "wagtailsnippets_invitations_audience:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_batch:list": (L, 302, 302, 200, 200, L),
    # The batch forms are the project's own views (they lead to the batch report).
    "wagtailsnippets_invitations_batch:add": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_batch:edit": (L, 404, 404, 200, 200, L),
    "wagtailsnippets_invitations_outboxmessage:inspect": (L, 404, 404, 200, 200, L),
    "wagtailsnippets_invitations_emailtemplate:edit": (L, 404, 404, 200, 200, L),
    "wagtailsnippets_invitations_emailtemplate:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_outboxmessage:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_recipient:inspect": (L, 404, 404, 200, 200, L),
    "wagtailsnippets_invitations_letter:inspect": (L, 404, 404, 200, 200, L),
    "wagtailsnippets_invitations_letter:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_letter:list_results": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_lettertemplate:list": (L, 302, 302, 200, 200, L),
    "invitations_batch_letters": (L, 302, 302, 200, 200, L),
    "invitations_letter_pdf": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_recipient:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_recipient:list_results": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_suppression:list": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_suppression:list_results": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_channelsuppression:list": (L, 302, 302, 200, 200, L),
    # The personal-data log: read by the superuser (or a data protection officer).
    "wagtailsnippets_institutions_personaldatalog:list": (L, 302, 302, 302, 200, L),
    "wagtailsnippets_institutions_personaldatalog:inspect": (L, 404, 404, 404, 200, L),
    "wagtailsnippets_invitations_channelsuppression:list_results": (L, 302, 302, 200, 200, L),
    "wagtailsnippets_invitations_trackingevent:list": (L, 302, 302, 200, 200, L),
    "wagtailusers_users:index": (L, 302, 302, 302, 200, L),
    "/": (200, 200, 200, 200, 200, 200),
    "/berita/": (200, 200, 200, 200, 200, 200),
    "/panduan/cara-mengisi/": (200, 200, 200, 200, 200, 200),
    "/ruang-pers/": (200, 200, 200, 200, 200, 200),
}
# fmt: on


def _count_import(world):
    """An upload of official figures by the editor (imports are shown to their uploader)."""
    from campaign.response.models import CountImport

    run, _created = CountImport.objects.get_or_create(
        filename="angka.csv",
        defaults={"user": world.users["editor"], "source": "uji", "status": "valid"},
    )
    return run.pk


def _value(value, world, role):
    if not callable(value):
        return value
    try:
        return value(world, role)
    except TypeError:
        return value(world)


def url_for(world, name, role="admin"):
    if name.startswith("/"):
        return name
    spec = KWARGS.get(name, {})
    if isinstance(spec, list):
        return reverse(name, args=[_value(v, world, role) for v in spec])
    return reverse(name, kwargs={k: _value(v, world, role) for k, v in spec.items()})


def _client(world, role):
    client = Client()
    if role in world.users:
        client.force_login(world.users[role])
    return client


def _status(response):
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        if "/login/" in location or "/lapangan/masuk/" in location:
            return L
    return response.status_code


def _observe(world, role, name):
    client = _client(world, role)
    response = client.get(url_for(world, name, role))
    drain(response)
    return _status(response)


def test_every_project_url_has_an_expectation():
    discovered = project_route_names()
    assert sorted(discovered - set(EXPECTED)) == [], "new URLs need a row in EXPECTED"
    assert sorted(set(EXPECTED) - discovered - WAGTAIL_SAMPLE - set(PAGES)) == [], "stale rows"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_status_everywhere(world, role):
    index = ROLES.index(role)
    mismatches = []
    for name, statuses in EXPECTED.items():
        got = _observe(world, role, name)
        if got != statuses[index]:
            mismatches.append(f"{name}: expected {statuses[index]}, got {got}")
    assert not mismatches, "\n".join(mismatches)
