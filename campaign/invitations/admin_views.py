"""Admin pages beyond the snippet listings: batch report and actions, template preview
and test send, audience count, an institution's invitation history, outbox messages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.csp import CSP
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from campaign.core.ids import parse_id
from campaign.core.permissions import permission_require
from campaign.core.viewsets import visible_to
from campaign.institutions.models import Institution
from campaign.institutions.policies import policy_for

from . import merge, selectors, services
from .models import Audience, Batch, EmailTemplate, Letter, OutboxMessage, Recipient

# Email HTML carries inline styles and nothing else: no script, no requests out; and it
# runs in an opaque origin even when opened on its own, outside the sandboxed iframe.
_EMAIL_PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    "frame-ancestors": [CSP.SELF],
    "sandbox": True,
}


def letters_preview_count(batch) -> int | None:
    """How many letters a draft letter batch would print (one per institution)."""
    if batch.audience_id is None:
        return None
    try:
        rows, _excluded = services.batches._recipients_for_audience(batch)
    except ValidationError:
        return None
    return len(rows)


def phone_preview(batch) -> dict | None:
    """What a draft WhatsApp or SMS batch would do: how many numbers it reaches, and who
    is left out (no phone, unsubscribed, no WhatsApp opt-in) with how many each."""
    if batch.audience_id is None:
        return None
    rows, excluded = services.batches._recipients_for_audience(batch)
    return {
        "count": sum(1 for row in rows if row.status == Recipient.Status.PENDING),
        "excluded": [
            (str(selectors.EXCLUSION_LABELS.get(key, key)), number)
            for key, number in sorted(excluded["excluded"].items(), key=lambda item: -item[1])
        ],
    }


# The batch report lists at most this many recipients that lack a merge value.
_MISSING_SHOWN = 200


def _header_injection_message():
    return _("Refused: a line break in the name or subject (header injection).")


def batch_report(request, pk):
    permission_require(request, "invitations.view_batch")
    batch = get_object_or_404(
        visible_to(request.user, Batch).select_related("template", "audience__campaign", "parent", "office"),
        pk=pk,
    )
    funnel = selectors.batch_funnel(batch=batch)
    letters = None
    if batch.channel == Batch.Channel.LETTER:
        letters = batch.letters.order_by("seq").values("pk", "number", "addressee", "institution")[
            :_MISSING_SHOWN
        ]
    missing = services.batch_missing_values(batch=batch) if batch.status == Batch.Status.DRAFT else []
    channels = selectors.channel_funnel(recipients=batch.recipients.all())
    excluded = [
        (str(selectors.EXCLUSION_LABELS.get(key, key)), number)
        for key, number in sorted((batch.excluded.get("excluded") or {}).items(), key=lambda item: -item[1])
    ]
    return TemplateResponse(
        request,
        "invitations/admin/batch_report.html",
        {
            "batch": batch,
            "funnel": funnel,
            "steps": funnel.steps(),
            "channels": channels,
            "click_to_chat": batch.status != Batch.Status.DRAFT and batch.channel != Batch.Channel.LETTER,
            "excluded": excluded,
            "summary": selectors.audience_summary(audience=batch.audience, office=batch.office)
            if batch.status == Batch.Status.DRAFT and batch.audience_id and not batch.is_phone
            else None,
            "phone_preview": phone_preview(batch)
            if batch.status == Batch.Status.DRAFT and batch.is_phone
            else None,
            "missing": missing,
            "missing_shown": missing[:_MISSING_SHOWN],
            "can_send": request.user.has_perm("invitations.send_batch"),
            "interrupted": funnel.uncertain,
            "recipients_url": f"/admin/snippets/invitations/recipient/?batch={batch.pk}",
            "letters": letters,
            "letter_count": batch.letters.count() if letters is not None else 0,
            "letter_rows": letters_preview_count(batch)
            if letters is not None and batch.status == "draft"
            else None,
        },
    )


class RemindForm(forms.Form):
    after_days = forms.IntegerField(
        label=gettext_lazy("Days since sending"), min_value=0, max_value=60, initial=3
    )


@require_POST
def batch_action(request, pk, action):
    permission_require(request, "invitations.send_batch")
    batch = get_object_or_404(visible_to(request.user, Batch), pk=pk)
    done = False
    try:
        if action == "start":
            services.batch_start(batch=batch, user=request.user)
            done = True
        elif action == "pause":
            done = services.batch_pause(batch=batch, user=request.user)
        elif action == "resume":
            done = services.batch_resume(batch=batch, user=request.user)
        elif action == "cancel":
            done = services.batch_cancel(batch=batch, user=request.user)
        elif action == "send_again":
            done = bool(services.recipients_send_again(batch=batch, user=request.user))
        elif action == "remind":
            form = RemindForm(request.POST)
            if form.is_valid():
                reminder = services.batch_remind(
                    batch=batch, after_days=form.cleaned_data["after_days"], user=request.user
                )
                messages.success(
                    request,
                    _("Reminder batch created with %(count)d recipients; check it and start it.")
                    % {"count": reminder.recipients.count()},
                )
                return redirect("invitations_batch_report", pk=reminder.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invitations_batch_report", pk=batch.pk)
    if done:
        messages.success(request, _("Done."))
    else:
        messages.warning(request, _("Nothing changed: the batch is already in another state."))
    return redirect("invitations_batch_report", pk=batch.pk)


def _preview_recipient(request):
    recipient_id = parse_id(request.GET.get("recipient", ""))
    if recipient_id:
        return (
            visible_to(request.user, Recipient)
            .select_related("contact", "institution", "media_partner", "team")
            .filter(pk=recipient_id)
            .first()
        )
    return None


def template_preview(request, pk):
    permission_require(request, "invitations.view_emailtemplate")
    template = get_object_or_404(EmailTemplate, pk=pk)
    recipient = _preview_recipient(request)
    language = request.GET.get("language", "id") if request.GET.get("language") in ("id", "en") else "id"
    if request.method == "POST":
        try:
            address = services.template_test_send(
                template=template, user=request.user, recipient=recipient, language=language
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except merge.HeaderInjection:
            messages.error(request, _header_injection_message())
        else:
            messages.success(request, _("Test message sent to %(email)s.") % {"email": address})
        return redirect(request.get_full_path())
    try:
        rendered, values = services.template_preview(
            template=template, recipient=recipient, language=language
        )
    except merge.HeaderInjection:
        messages.error(request, _header_injection_message())
        rendered, values = None, {}
    return TemplateResponse(
        request,
        "invitations/admin/template_preview.html",
        {
            "template": template,
            "rendered": rendered,
            "values": values,
            "recipient": recipient,
            "language": language,
            "recent_recipients": Recipient.objects.filter(batch__template=template)
            .exclude(status=Recipient.Status.SKIPPED)
            .order_by("-pk")[:20],
            "query": request.GET.urlencode(),
        },
    )


@xframe_options_sameorigin
@csp_override(_EMAIL_PREVIEW_CSP)
def template_preview_html(request, pk):
    permission_require(request, "invitations.view_emailtemplate")
    template = get_object_or_404(EmailTemplate, pk=pk)
    language = request.GET.get("language", "id") if request.GET.get("language") in ("id", "en") else "id"
    try:
        rendered, _values = services.template_preview(
            template=template, recipient=_preview_recipient(request), language=language
        )
    except merge.HeaderInjection:
        return HttpResponse(_header_injection_message(), content_type="text/plain; charset=utf-8", status=400)
    return HttpResponse(rendered.html)


@xframe_options_sameorigin
@csp_override(_EMAIL_PREVIEW_CSP)
def outbox_html(request, pk):
    if not policy_for(OutboxMessage).user_has_permission(request.user, "view"):
        raise PermissionDenied  # the province's only (ProvinceOnlyPolicy)
    message = get_object_or_404(OutboxMessage, pk=pk)
    return HttpResponse(message.html or format_html("<pre>{}</pre>", message.text))


def audience_report(request, pk):
    permission_require(request, "invitations.view_audience")
    audience = get_object_or_404(
        visible_to(request.user, Audience).select_related("office", "campaign"), pk=pk
    )
    summary = selectors.audience_summary(audience=audience)
    return TemplateResponse(
        request, "invitations/admin/audience_report.html", {"audience": audience, "summary": summary}
    )


def institution_history(request, pk):
    permission_require(request, "invitations.view_recipient")
    institution = get_object_or_404(visible_to(request.user, Institution), pk=pk)
    return TemplateResponse(
        request,
        "invitations/admin/institution_history.html",
        {
            "institution": institution,
            "recipients": selectors.institution_invitations(institution=institution),
        },
    )


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def batch_letters_pdf(request, pk):
    """Every letter of a letter batch, in number order, as one PDF for printing."""
    permission_require(request, "invitations.view_letter")
    batch = get_object_or_404(
        visible_to(request.user, Batch).select_related("letter_template__signature_image", "office"),
        pk=pk,
        channel=Batch.Channel.LETTER,
    )
    return _pdf_response(services.letters_print(batch=batch), f"surat-{batch.pk}.pdf")


def letter_pdf(request, pk):
    """One letter as it was numbered."""
    permission_require(request, "invitations.view_letter")
    letter = get_object_or_404(visible_to(request.user, Letter).select_related("batch"), pk=pk)
    data = services.letters_print(batch=letter.batch, letters=Letter.objects.filter(pk=letter.pk))
    safe = "".join(ch if ch.isalnum() else "-" for ch in letter.number).strip("-")
    return _pdf_response(data, f"surat-{safe}.pdf")


_CHATS_PER_PAGE = 50


def batch_click_to_chat(request, pk):
    """The batch's recipients who have a phone, each with a button that opens WhatsApp
    click-to-chat with their personal link (a POST: the tap is recorded first)."""
    from django.core.paginator import Paginator
    from django.db.models import Count, Max

    from .services.click_to_chat import click_to_chat_phone

    permission_require(request, "invitations.send_batch")
    batch = get_object_or_404(visible_to(request.user, Batch), pk=pk)
    rows = (
        batch.recipients.filter(contact__isnull=False, contact__erased_at__isnull=True)
        .exclude(phone="", contact__phone="")
        .select_related("contact", "institution", "media_partner")
        .annotate(tap_count=Count("chat_taps"), last_tap=Max("chat_taps__created_at"))
        .order_by("pk")
    )
    page = Paginator(rows, _CHATS_PER_PAGE).get_page(request.GET.get("p"))
    for recipient in page.object_list:
        recipient.chat_phone = click_to_chat_phone(recipient)
    return TemplateResponse(request, "invitations/admin/click_to_chat.html", {"batch": batch, "page": page})


@require_POST
def recipient_click_to_chat(request, pk):
    """Record a click-to-chat tap by this user and go to wa.me (the admin's CSP allows the
    form to lead there)."""
    from .services.click_to_chat import chat_tap_record

    permission_require(request, "invitations.send_batch")
    recipient = get_object_or_404(
        Recipient.objects.select_related("contact", "institution", "media_partner", "batch").filter(
            batch__in=visible_to(request.user, Batch)
        ),
        pk=pk,
    )
    try:
        url = chat_tap_record(recipient=recipient, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("invitations_batch_click_to_chat", pk=recipient.batch_id)
    return HttpResponseSeeOther(url)


class HttpResponseSeeOther(HttpResponse):
    status_code = 303

    def __init__(self, url):
        super().__init__()
        self["Location"] = url


def channels_report(request):
    """Every visible batch's recipients by channel: sent, delivered, opened/read and
    answered (by the channel whose link brought the answer), for one campaign or all."""
    from campaign.core.models import Campaign

    permission_require(request, "invitations.view_batch")
    batches = visible_to(request.user, Batch)
    campaigns = list(Campaign.objects.order_by("-online_start"))
    chosen = next((c for c in campaigns if str(c.pk) == request.GET.get("campaign")), None)
    if chosen is not None:
        batches = batches.filter(audience__campaign=chosen)
    recipients = Recipient.objects.filter(batch__in=batches.values("pk"))
    return TemplateResponse(
        request,
        "invitations/admin/channels_report.html",
        {
            "channels": selectors.channel_funnel(recipients=recipients),
            "campaigns": campaigns,
            "chosen": chosen,
            "batch_count": batches.count(),
        },
    )
