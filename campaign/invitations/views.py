"""Public pages of the invitations app, opened from a link in an email.

GET only shows: mail scanners follow links, so nothing changes until the contact presses
a button (POST). A broken, expired or wrong-purpose link gets a friendly page.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from campaign.core.middleware import query_language, thanks_url

from . import services, tokens
from .models import PHONE_CHANNELS, Recipient
from .services.suppression import phone_unsubscribe, unsubscribe_every_channel


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The site-wide "same-origin" referrer policy already keeps the token from other
    # sites; "no-referrer" would make browsers send "Origin: null" and fail CSRF.
    return response


def _link_problem(request, *, expired=False):
    from campaign.materials.selectors import campaign_target_url

    response = TemplateResponse(
        request,
        "invitations/link_problem.html",
        {"expired": expired, "target_url": campaign_target_url()},
        status=410 if expired else 404,
    )
    return _private(response)


def _recipient(purpose, token):
    recipient_id, channel = tokens.read_with_channel(purpose, token)
    recipient = _recipient_by_id(recipient_id)
    recipient.link_channel = channel or recipient.channel
    return recipient


def _recipient_by_id(recipient_id):
    recipient = (
        Recipient.objects.select_related(
            "batch", "institution", "media_partner", "team", "session", "contact"
        )
        .filter(pk=recipient_id)
        .first()
    )
    if recipient is None:
        raise tokens.TokenError()
    return recipient


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"), choices=Recipient.Answer.choices, widget=forms.RadioSelect
    )
    proposed_at = forms.DateTimeField(
        label=_("Another date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Only when you propose another time (WITA)."),
    )
    note = forms.CharField(
        label=_("Message for the team"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == Recipient.Answer.PROPOSE and not data.get("proposed_at"):
            self.add_error("proposed_at", _("Give the date and time that suits you."))
        return data


def rsvp(request, token):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        recipient = _recipient("rsvp", token)
    except tokens.TokenError as error:
        return _link_problem(request, expired=error.expired)
    language = query_language(request) or (recipient.language if recipient.language in ("id", "en") else "id")
    # The time the invitation offered is behind us: only another time can be answered.
    passed = bool(recipient.proposed_at and recipient.proposed_at <= timezone.now())
    with translation.override(language):
        if request.method == "POST":
            form = RsvpForm(request.POST)
            if form.is_valid():
                try:
                    services.rsvp_record(
                        recipient=recipient,
                        answer=form.cleaned_data["answer"],
                        proposed_at=form.cleaned_data["proposed_at"],
                        note=form.cleaned_data["note"],
                        channel=recipient.link_channel,
                    )
                except ValidationError as error:
                    for field, messages in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, messages)
                else:
                    return redirect(thanks_url(request))
        else:
            initial = {"answer": recipient.answer or (Recipient.Answer.PROPOSE if passed else None)}
            if recipient.answer_time:
                initial["proposed_at"] = timezone.localtime(recipient.answer_time)
            form = RsvpForm(initial=initial)
        response = TemplateResponse(
            request,
            "invitations/rsvp.html",
            {
                "recipient": recipient,
                "form": form,
                "thanks": request.method == "GET" and "terima-kasih" in request.GET,
                "organisation": recipient.organisation,
                "proposed_passed": passed,
            },
        )
        response.render()
    return _private(response)


def _unsubscribed_already(recipient) -> bool:
    """Whether the link's channel already stops this address (the link opened again)."""
    from .models import ChannelSuppression, Suppression

    if recipient.channel in PHONE_CHANNELS:
        return (
            bool(recipient.phone)
            and ChannelSuppression.objects.filter(channel=recipient.channel, phone=recipient.phone).exists()
        )
    return bool(recipient.email) and Suppression.objects.filter(email__iexact=recipient.email).exists()


@require_GET
def short_link(request, code):
    """An SMS's short link: a redirect to the recipient's RSVP page (which only reads on
    GET), the channel kept. It lives as long as the full link would from the sending."""
    try:
        recipient_id, channel = tokens.read_short(code)
        recipient = _recipient_by_id(recipient_id)
    except tokens.TokenError:
        return _link_problem(request, expired=False)
    sent = recipient.sent_at or recipient.claimed_at
    if sent is not None and timezone.now() - sent > tokens.RSVP_MAX_AGE:
        return _link_problem(request, expired=True)
    return _private(redirect(tokens.rsvp_url(recipient.pk, channel)))


@csrf_exempt
def unsubscribe(request, token):
    """GET: a page with one button and the choice of one channel (the link's, the
    default) or every channel. POST (the button, or a mail client's RFC 8058 one-click
    request without cookies, always one channel): suppress at once."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        recipient = _recipient("unsubscribe", token)
    except tokens.TokenError as error:
        return _link_problem(request, expired=error.expired)
    done = every = False
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        source = "one-click" if one_click else "unsubscribe page"
        # One channel unless the contact chose every channel on the page (never by one-click).
        every = not one_click and request.POST.get("scope") == "all"
        if every:
            unsubscribe_every_channel(recipient=recipient, source="unsubscribe page, every channel")
        elif recipient.channel in PHONE_CHANNELS:
            # WhatsApp or SMS: that channel only (the others still reach the contact).
            if recipient.phone:
                phone_unsubscribe(recipient=recipient, source=source)
        else:
            services.unsubscribe(recipient=recipient, source=source)
        done = True
    language = query_language(request) or (recipient.language if recipient.language in ("id", "en") else "id")
    with translation.override(language):
        response = TemplateResponse(
            request,
            "invitations/unsubscribe.html",
            {
                "recipient": recipient,
                "done": done,
                "every": every,
                "already": not done and _unsubscribed_already(recipient),
                "channel": recipient.get_channel_display(),
            },
        )
        response.render()
    return _private(response)
