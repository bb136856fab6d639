"""The institution's public page (no account): report how many of its staff have
completed the online census form. GET only shows; the report is a POST (mail scanners
follow links). A broken or expired link gets the same friendly page as the invitations."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _

from campaign.core.middleware import thanks_url
from campaign.core.tokens import TokenError

from . import completion
from .models import Institution


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
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


class CompletionReportForm(forms.Form):
    staff_completed = forms.IntegerField(
        label=_("Staff who have completed the online census form"),
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    staff_total = forms.IntegerField(
        label=_("Staff of the institution in total"),
        min_value=1,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Everyone who should fill in the census form through the institution."),
    )

    def clean(self):
        data = super().clean()
        done, total = data.get("staff_completed"), data.get("staff_total")
        if done is not None and total is not None and done > total:
            self.add_error("staff_completed", _("This is more than the institution's staff in total."))
        return data


def completion_report(request, token):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        institution_id = completion.completion_token_read(token)
    except TokenError as error:
        return _link_problem(request, expired=error.expired)
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        return _link_problem(request)
    if request.method == "POST":
        form = CompletionReportForm(request.POST)
        if form.is_valid():
            try:
                completion.completion_report_record(
                    institution=institution,
                    staff_completed=form.cleaned_data["staff_completed"],
                    staff_total=form.cleaned_data["staff_total"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect(thanks_url(request))
    else:
        total = institution.staff_total or institution.employees
        form = CompletionReportForm(
            initial={"staff_completed": institution.staff_completed, "staff_total": total}
        )
    response = TemplateResponse(
        request,
        "institutions/completion_report.html",
        {
            "institution": institution,
            "form": form,
            "thanks": request.method == "GET" and "terima-kasih" in request.GET,
            "threshold": completion.threshold_percent(),
        },
    )
    return _private(response)
