"""Admin forms that apply service rules before the generic views save."""

from django.core.exceptions import ValidationError

from campaign.core.viewsets import ScopedModelForm


class GuidedSessionForm(ScopedModelForm):
    """The admin's session form refuses a date outside the campaign, as the field app
    and ``session_record`` do; its team choices are the user's (``ScopedModelForm``)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or {"starts_at", "team"} & set(self.changed_data):
            from .services import session_check_in_campaign

            try:
                session_check_in_campaign(team=cleaned.get("team"), starts_at=cleaned.get("starts_at"))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned
