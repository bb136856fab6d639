"""The audience form: checkboxes for statuses and media, a searchable region list."""

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaign.core.models import Region
from campaign.core.viewsets import ScopedModelForm
from campaign.institutions.models import Institution, MediaPartner


class RegionPicker(forms.CheckboxSelectMultiple):
    """Every region as a checkbox, grouped by regency, with a search box above (a few
    lines of script, static and CSP-safe) that narrows the list as one types and keeps
    the chosen ones in view."""

    # Under the app's templates/: Django's default form renderer reads app directories.
    template_name = "invitations/widgets/region_picker.html"

    class Media:
        js = ["invitations/region-picker.js"]
        css = {"all": ["invitations/region-picker.css"]}


class _RegionChoices(BaseChoiceIterator):
    """Province and regencies first, then each regency's districts as a group; read
    when the widget renders, not when the form class is made."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __iter__(self):
        regions = list(self.queryset.order_by("code").values_list("pk", "name", "level", "parent_id"))
        names = {pk: name for pk, name, _level, _parent in regions}
        yield (
            _("Province and regencies"),
            [(pk, name) for pk, name, level, _p in regions if level != "district"],
        )
        groups = {}
        for pk, name, level, parent in regions:
            if level == "district":
                groups.setdefault(parent, []).append((pk, name))
        for parent, districts in groups.items():
            yield (names.get(parent, ""), districts)


class RegionField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Region.objects.filter(level__in=["province", "regency", "district"]),
            widget=RegionPicker,
            **kwargs,
        )

    def _set_queryset(self, queryset):
        self._queryset = None if queryset is None else queryset.all()
        self.widget.choices = _RegionChoices(self._queryset)

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)


class AudienceForm(ScopedModelForm):
    statuses = forms.MultipleChoiceField(
        label=_("campaign statuses"),
        choices=Institution.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every status."),
    )
    mediums = forms.MultipleChoiceField(
        label=_("media"),
        choices=MediaPartner.Medium.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every medium."),
    )
    regions = RegionField(
        label=_("regions"),
        required=False,
        help_text=_("A regency includes all its districts. Type to search."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared fields do not take the model's label: capitalised as Wagtail does.
        for name in ("statuses", "mediums", "regions"):
            self.fields[name].label = capfirst(self._meta.model._meta.get_field(name).verbose_name)


class BatchForm(ScopedModelForm):
    """The batch form: a batch is sent by email unless "official letter" is chosen (a
    form posted without a channel, as before channels existed, is an email batch)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channel" in self.fields:
            self.fields["channel"].required = False

    def clean_channel(self):
        return self.cleaned_data.get("channel") or "email"


class ChannelSuppressionForm(ScopedModelForm):
    """Staff stop WhatsApp or SMS to a number by hand (a contact asked by telephone):
    only the phone channels, and the number in the E.164 form every send compares."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "channel" in self.fields:
            from .models import PHONE_CHANNELS

            self.fields["channel"].choices = [(c.value, c.label) for c in PHONE_CHANNELS]

    def clean_phone(self):
        from campaign.core.phones import parse_phone

        phone = parse_phone(self.cleaned_data.get("phone") or "")
        if phone is None:
            raise forms.ValidationError(_("Not a valid phone number."), code="invalid")
        return phone
