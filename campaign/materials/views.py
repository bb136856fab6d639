"""Public views: QR redirects, printable guides, token links, press downloads.

They read (and, for a scan, record through a service); none holds a business rule.
Token links answer a bad, tampered, expired or other-purpose token with a friendly page,
never an error, and never change state on GET.
"""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from campaign.core import ratelimit
from campaign.core.ids import MAX_ID

from . import downloads, media, printing, selectors, services, tokens
from .models import MediaItem, PressReleasePage, PressRoomPage

SHEET_SIZES = ("a4", "a5")
POSTER_SIZES = ("a3", "a4")


def _private(response):
    """Token pages: never cached by anyone, never indexed."""
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _pdf_response(data, filename, *, attachment=False):
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _link_problem(request, error, *, status=None):
    response = TemplateResponse(
        request,
        "materials/link_problem.html",
        {"expired": getattr(error, "expired", False), "target_url": selectors.campaign_target_url()},
        status=status or (410 if getattr(error, "expired", False) else 404),
    )
    return _private(response)


# --- QR codes -------------------------------------------------------------------------------


# Scans counted per client address in SCAN_COUNT_WINDOW seconds; more are led on to the
# form but not counted, so a script cannot inflate the reports. Generous: a Rakorcam room
# scanning a poster shares one address (a phone network's NAT, the office Wi-Fi).
SCAN_COUNT_LIMIT = 100
SCAN_COUNT_WINDOW = 600


@require_GET
def qr_redirect(request, code):
    """Record the scan and send the phone on to the form. 302, never cached: every scan
    must reach the server to be counted."""
    counted, _retry = ratelimit.hit(
        f"scan:{ratelimit.client_address(request)}", limit=SCAN_COUNT_LIMIT, window=SCAN_COUNT_WINDOW
    )
    target = services.scan_record(code=code, count=counted)
    if target is None:
        response = TemplateResponse(
            request, "materials/qr_unknown.html", {"target_url": selectors.campaign_target_url()}, status=404
        )
    else:
        response = HttpResponseRedirect(target)
    patch_cache_control(response, no_store=True)
    return response


# --- Guides ---------------------------------------------------------------------------------


@require_GET
def guide_print(request, guide_id, kind, size):
    """The general sheet or the poster of a published guide."""
    guide = selectors.guide_printable(guide_id=guide_id)
    if guide is None or size not in {"sheet": SHEET_SIZES, "poster": POSTER_SIZES}.get(kind, ()):
        raise Http404("No such material")
    if kind == "sheet":
        data = printing.sheet_pdf(guide=guide, size=size)
    else:
        data = printing.poster_pdf(guide=guide, size=size)
    response = _pdf_response(data, printing.filename(guide=guide, kind=kind, size=size))
    patch_cache_control(response, public=True, max_age=300)
    return response


def _guide_from_token(token):
    """(guide, institution) for a contact's token; raises TokenError."""
    from campaign.institutions.models import Institution

    guide_id, institution_id = tokens.guide_token_read(token)
    guide = selectors.guide_printable(guide_id=guide_id)
    institution = Institution.objects.select_related("region__parent").filter(pk=institution_id).first()
    if guide is None or institution is None:
        raise tokens.TokenError()
    return guide, institution


@require_GET
def guide_download(request, token):
    """An institution contact's page: its own guide sheet to download and print."""
    try:
        guide, institution = _guide_from_token(token)
    except tokens.TokenError as error:
        return _link_problem(request, error)
    response = TemplateResponse(
        request,
        "materials/guide_download.html",
        {"guide": guide, "institution": institution, "token": token, "sizes": SHEET_SIZES},
    )
    return _private(response)


@require_GET
def guide_download_pdf(request, token, size):
    if size not in SHEET_SIZES:
        raise Http404("No such size")
    try:
        guide, institution = _guide_from_token(token)
    except tokens.TokenError as error:
        return _link_problem(request, error)
    data = printing.sheet_pdf(guide=guide, size=size, institution=institution)
    filename = printing.filename(guide=guide, kind="sheet", size=size, institution=institution)
    return _private(_pdf_response(data, filename, attachment=True))


# --- Press room: media partners' personal links ----------------------------------------------


def _partner(token):
    """The media partner contact a press token belongs to; raises TokenError."""
    from campaign.institutions.models import Contact

    contact_id = tokens.press_token_read(token)
    contact = (
        Contact.objects.select_related("media_partner")
        .filter(pk=contact_id, media_partner__isnull=False, erased_at__isnull=True)
        .first()
    )
    if contact is None:
        raise tokens.TokenError()
    return contact


@require_GET
def press_preview(request, token):
    try:
        contact = _partner(token)
    except tokens.TokenError as error:
        return _link_problem(request, error)
    response = TemplateResponse(
        request,
        "materials/press_preview.html",
        {"contact": contact, "token": token, "releases": selectors.press_releases_for_partner()},
    )
    return _private(response)


def _partner_release(token, page_id):
    contact = _partner(token)
    found = selectors.press_release_for_partner(page_id=page_id)
    if found is None:
        raise tokens.TokenError()
    release, embargo_until = found
    return contact, release, embargo_until


@require_GET
def press_preview_release(request, token, page_id):
    try:
        contact, release, embargo_until = _partner_release(token, page_id)
    except tokens.TokenError as error:
        return _link_problem(request, error)
    context = {
        "contact": contact,
        "token": token,
        "page": release,
        "release": release,
        "embargo_until": embargo_until,
        **selectors.press_release_details(release=release),
    }
    response = TemplateResponse(request, "materials/press_preview_release.html", context)
    response.add_post_render_callback(lambda rendered: _images_through_link(rendered, token))
    return _private(response)


def _images_through_link(response, token):
    """The release's photos are withheld from the public until it goes live: the partner's
    page loads them through the partner's link instead of their public address."""
    public = settings.MEDIA_URL + "images/"
    through_link = reverse("materials:press_preview_media", args=[token, "images/"])
    response.content = response.content.replace(public.encode(), through_link.encode())


@require_GET
def press_preview_media(request, token, path):
    """A rendition (photo in a release) for a media partner, before and after go-live."""
    try:
        _partner(token)
    except tokens.TokenError as error:
        raise Http404 from error
    name = media._clean(path)
    if not name.startswith("images/") or media.rendition_image_id(name) is None:
        raise Http404
    return media.send_file(name, public=False)


@require_GET
def press_preview_document(request, token, page_id, document_id):
    try:
        _contact, release, _embargo = _partner_release(token, page_id)
    except tokens.TokenError as error:
        return _link_problem(request, error)
    details = selectors.press_release_details(release=release)
    document = next((a.document for a in details["attachments"] if a.document.pk == document_id), None)
    if document is None:
        raise Http404("Not an attachment of this release")
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename)
    return _private(response)


@require_GET
def press_preview_zip(request, token, page_id):
    try:
        _contact, release, embargo_until = _partner_release(token, page_id)
    except tokens.TokenError as error:
        return _link_problem(request, error)
    return _private(_zip_response(release, embargo_until=embargo_until))


# --- Press room: public downloads ------------------------------------------------------------


def _zip_response(release, *, embargo_until=None):
    details = selectors.press_release_details(release=release)
    documents = [attachment.document for attachment in details["attachments"]]
    response = StreamingHttpResponse(
        downloads.release_zip_chunks(
            release, documents=documents, contacts=details["contacts"], embargo_until=embargo_until
        ),
        content_type="application/zip",
    )
    name = slugify(release.slug or release.title)[:60] or "siaran-pers"
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


@require_GET
def release_zip(request, page_id):
    """ "Download all": a live, public release with its attachments, streamed."""
    if page_id > MAX_ID:
        raise Http404("No such release")
    release = get_object_or_404(PressReleasePage.objects.live().public(), pk=page_id)
    return _zip_response(release)


@require_GET
def media_download(request, item_id, size):
    """A photo or logo of the media library in one of its download sizes."""
    item = get_object_or_404(MediaItem.objects.select_related("image"), pk=item_id)
    if not PressRoomPage.objects.live().public().filter(pk=item.page_id).exists():
        raise Http404("No such item")
    sizes = dict(selectors.MEDIA_SIZES)
    if size not in sizes:
        raise Http404("No such size")
    image = item.image
    if sizes[size] is None:
        source, extension = image.file, image.file.name.rsplit(".", 1)[-1].lower()
    else:
        rendition = image.get_rendition(sizes[size])
        source, extension = rendition.file, rendition.file.name.rsplit(".", 1)[-1].lower()
    filename = f"{slugify(image.title)[:60] or 'media'}-{size}.{extension}"
    response = FileResponse(source.open("rb"), as_attachment=True, filename=filename)
    patch_cache_control(response, public=True, max_age=86400)
    return response
