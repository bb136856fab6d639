import django_filters
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, EditView, SnippetViewSetGroup

from campaign.core.viewsets import ScopedSnippetViewSet
from campaign.institutions.admin_views import (
    AuditedExportIndexView,
    LocalTimeInspectView,
)
from campaign.institutions.models import Institution

from . import admin_views, services
from .models import (
    Audience,
    Batch,
    ChannelSuppression,
    EmailTemplate,
    Letter,
    LetterTemplate,
    OutboxMessage,
    Recipient,
    Suppression,
    TrackingEvent,
)
from .policies import register_policies

# First: a ViewSet registering a model without a policy gets Wagtail's unscoped fallback.
register_policies()

# The ViewSets of templates, audiences and batches save through the services
# (``save_service``, see ``campaign.core.viewsets.ServiceSaveMixin``).


class EmailTemplateViewSet(ScopedSnippetViewSet):
    model = EmailTemplate

    def save_service(self, *, instance, form, user):
        return services.email_template_save(template=instance, user=user)

    icon = "mail"
    menu_label = _("Templates")
    list_display = ["name", "subject_id", "updated_at"]
    search_fields = ["name", "subject_id", "subject_en"]


class LetterTemplateViewSet(ScopedSnippetViewSet):
    model = LetterTemplate

    def save_service(self, *, instance, form, user):
        return services.letter_template_save(template=instance, user=user)

    icon = "doc-full"
    menu_label = _("Letter templates")
    list_display = ["name", "subject", "signatory_name", "updated_at"]
    search_fields = ["name", "subject"]


class AudienceViewSet(ScopedSnippetViewSet):
    model = Audience

    def save_service(self, *, instance, form, user):
        # The many-to-many choices (kinds, regions, teams) are written by the form after.
        return services.audience_save(audience=instance, user=user)

    icon = "group"
    menu_label = _("Audiences")
    list_display = ["name", Column("target", label=_("Who"), accessor="get_target_display"), "updated_at"]


class BatchFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=Batch.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Batch.Kind.choices, label=_("Kind"))
    channel = django_filters.ChoiceFilter(choices=Batch.Channel.choices, label=_("Channel"))

    class Meta:
        model = Batch
        fields = ["status", "kind", "channel"]


class _ToBatchReport:
    """After saving, the batch's report: it names recipients the template cannot be
    written for before anything is sent, and holds the send button."""

    def get_success_url(self):
        return reverse("invitations_batch_report", args=[self.object.pk])


class BatchCreateView(_ToBatchReport, CreateView):
    pass


class BatchEditView(_ToBatchReport, EditView):
    pass


class BatchViewSet(ScopedSnippetViewSet):
    model = Batch

    def save_service(self, *, instance, form, user):
        return services.batch_save(batch=instance, user=user)

    icon = "mail"
    menu_label = _("Batches")
    add_view_class = BatchCreateView
    edit_view_class = BatchEditView
    list_display = [
        "name",
        Column("channel", label=_("Channel"), accessor="get_channel_display"),
        Column("template", label=_("Template"), accessor="template_name"),
        "audience",
        Column("status", label=_("Status"), accessor="get_status_display"),
        "scheduled_at",
        "created_at",
    ]
    filterset_class = BatchFilterSet
    ordering = ["-created_at"]


class RecipientFilterSet(WagtailFilterSet):
    batch = django_filters.ModelChoiceFilter(queryset=Batch.objects.all(), label=_("Batch"))
    status = django_filters.ChoiceFilter(choices=Recipient.Status.choices, label=_("Status"))
    answer = django_filters.ChoiceFilter(choices=Recipient.Answer.choices, label=_("Answer"))
    opened = django_filters.BooleanFilter(
        field_name="opened_at", lookup_expr="isnull", exclude=True, label=_("Opened")
    )
    bounce_kind = django_filters.ChoiceFilter(
        choices=[("hard", _("Hard bounce")), ("soft", _("Soft bounce"))], label=_("Bounce")
    )

    class Meta:
        model = Recipient
        fields = ["batch", "status", "answer", "opened", "bounce_kind"]


class RecipientIndexView(AuditedExportIndexView):
    export_permission = "invitations.export_recipient"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("batch", "institution", "media_partner")


class RecipientViewSet(ScopedSnippetViewSet):
    model = Recipient
    icon = "user"
    menu_label = _("Recipients")
    index_view_class = RecipientIndexView
    inspect_view_class = LocalTimeInspectView
    inspect_view_enabled = True
    add_to_admin_menu = False
    list_display = [
        "address",
        "name",
        Column("organisation", label=_("Organisation")),
        "batch",
        Column("channel", label=_("Channel"), accessor="get_channel_display"),
        Column("status", label=_("Status"), accessor="get_status_display"),
        "opened_at",
        Column("answer", label=_("Answer"), accessor="get_answer_display"),
    ]
    filterset_class = RecipientFilterSet
    list_export = [
        "batch",
        "channel",
        "email",
        "name",
        "institution",
        "media_partner",
        "status",
        "status_at",
        "sent_at",
        "delivered_at",
        "bounce_kind",
        "opened_at",
        "human_opened_at",
        "open_count",
        "clicked_at",
        "answer",
        "answered_at",
        "answer_time",
        "error",
    ]
    export_filename = "penerima-undangan"
    search_fields = ["email", "name"]
    list_per_page = 50


class SuppressionIndexView(AuditedExportIndexView):
    """Suppressed addresses are personal data: exported by those who may export
    recipients, logged, and inert in spreadsheets (an address may start with "=")."""

    export_permission = "invitations.export_recipient"


class SuppressionViewSet(ScopedSnippetViewSet):
    model = Suppression
    icon = "cross"
    menu_label = _("Suppressed addresses")
    index_view_class = SuppressionIndexView
    list_display = [
        "email",
        Column("reason", label=_("Reason"), accessor="get_reason_display"),
        Column("source", label=_("Source"), accessor="source_display"),
        "created_at",
    ]
    list_filter = ["reason"]
    search_fields = ["email"]
    list_export = ["email", "reason", "source", "detail", "created_at"]


class ChannelSuppressionIndexView(SuppressionIndexView):
    """Numbers are stored in E.164 (+62…); staff search as they were told the number
    (0812-3456-7890): a search that is a phone number finds it in either notation."""

    def search_queryset(self, queryset):
        from campaign.core.phones import parse_phone

        phone = parse_phone(self.search_query) if self.is_searching else None
        if phone is None:
            return super().search_queryset(queryset)
        return queryset.filter(phone=phone)


class ChannelSuppressionViewSet(ScopedSnippetViewSet):
    """Phone numbers one channel (WhatsApp or SMS) never reaches again: unsubscribed,
    stopped in WhatsApp, or added by staff. Deleting a row lets the channel reach the
    number again (the contact asked for it back)."""

    model = ChannelSuppression

    def save_service(self, *, instance, form, user):
        return services.phone_suppression_save(suppression=instance, user=user)

    icon = "cross"
    menu_label = _("Suppressed phone numbers")
    index_view_class = ChannelSuppressionIndexView
    list_display = [
        "phone",
        Column("channel", label=_("Channel"), accessor="get_channel_display"),
        Column("reason", label=_("Reason"), accessor="get_reason_display"),
        Column("source", label=_("Source"), accessor="source_display"),
        "created_at",
    ]
    list_filter = ["channel", "reason"]
    search_fields = ["phone"]
    # The channel first: a reader splitting on ";" sees a line as one cell, which must not
    # start with the "+" of a number.
    list_export = ["channel", "phone", "reason", "source", "created_at"]
    export_filename = "nomor-diblokir"


class LetterFilterSet(WagtailFilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    batch = django_filters.ModelChoiceFilter(
        queryset=Batch.objects.filter(channel="letter"), label=_("Batch")
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Letter
        fields = ["year", "batch", "date_from", "date_to"]


class LetterIndexView(AuditedExportIndexView):
    """The register of outgoing letters (the office's agenda): addressees are personal
    data, so exporting it needs its permission and is logged."""

    export_permission = "invitations.export_letter"

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("batch", "office")


class LetterViewSet(ScopedSnippetViewSet):
    model = Letter
    icon = "list-ol"
    menu_label = _("Register of outgoing letters")
    index_view_class = LetterIndexView
    inspect_view_class = LocalTimeInspectView
    inspect_view_enabled = True
    list_display = ["number", "date", "addressee", "institution", "subject", "batch"]
    list_export = [
        "number",
        "date",
        "addressee",
        "position",
        "institution",
        "address",
        "subject",
        "batch",
        "office",
    ]
    export_headings = {
        "number": _("Letter number"),
        "date": _("Date"),
        "addressee": _("Addressee"),
        "position": _("Position"),
        "institution": _("Institution"),
        "address": _("Address"),
        "subject": _("Subject of the letter"),
        "batch": _("Batch"),
        "office": _("Office"),
    }
    export_filename = "agenda-surat-keluar"
    filterset_class = LetterFilterSet
    search_fields = ["number", "addressee", "institution", "subject"]
    ordering = ["-year", "office_key", "-seq"]
    list_per_page = 50


class TrackingEventViewSet(ScopedSnippetViewSet):
    model = TrackingEvent
    icon = "history"
    menu_label = _("Tracking events")
    list_display = ["received_at", "provider", "event_type", "email", "occurred_at", "machine"]
    list_filter = ["provider", "event_type", "machine"]
    search_fields = ["email", "message_id"]
    inspect_view_enabled = True


class OutboxInspectView(LocalTimeInspectView):
    """A demo message as a person reads it: the time in WITA, one header per line, the
    attachments by name, and the plain text with its line breaks (all escaped)."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if field_name == "headers":
            return linebreaksbr("\n".join(f"{name}: {text}" for name, text in (value or {}).items())) or "—"
        if field_name == "attachments":
            names = [f"{item.get('name') or '?'} ({item.get('type', '')})" for item in value or []]
            return ", ".join(names) or "—"
        if field_name == "text":
            return linebreaksbr(value)
        return value


class OutboxViewSet(ScopedSnippetViewSet):
    model = OutboxMessage
    icon = "mail"
    menu_label = _("Outbox (demo)")
    list_display = ["created_at", "to", "subject"]
    search_fields = ["to", "subject"]
    inspect_view_enabled = True
    inspect_view_class = OutboxInspectView
    inspect_view_fields = ["created_at", "from_email", "to", "subject", "headers", "attachments", "text"]


class InvitationsGroup(SnippetViewSetGroup):
    items = (
        BatchViewSet,
        EmailTemplateViewSet,
        LetterTemplateViewSet,
        LetterViewSet,
        AudienceViewSet,
        RecipientViewSet,
        SuppressionViewSet,
        ChannelSuppressionViewSet,
        TrackingEventViewSet,
        OutboxViewSet,
    )
    menu_icon = "mail"
    menu_label = _("Invitations")
    menu_name = "invitations"
    # After the registry: invitations go to the institutions registered there.
    menu_order = 170


register_snippet(InvitationsGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("invitations/batch/<int:pk>/", admin_views.batch_report, name="invitations_batch_report"),
        path("invitations/channels/", admin_views.channels_report, name="invitations_channels_report"),
        path(
            "invitations/batch/<int:pk>/whatsapp/",
            admin_views.batch_click_to_chat,
            name="invitations_batch_click_to_chat",
        ),
        path(
            "invitations/recipient/<int:pk>/whatsapp/",
            admin_views.recipient_click_to_chat,
            name="invitations_recipient_click_to_chat",
        ),
        path(
            "invitations/batch/<int:pk>/<str:action>/",
            admin_views.batch_action,
            name="invitations_batch_action",
        ),
        path(
            "invitations/template/<int:pk>/preview/",
            admin_views.template_preview,
            name="invitations_template_preview",
        ),
        path(
            "invitations/template/<int:pk>/preview.html",
            admin_views.template_preview_html,
            name="invitations_template_preview_html",
        ),
        path(
            "invitations/audience/<int:pk>/", admin_views.audience_report, name="invitations_audience_report"
        ),
        path(
            "invitations/institution/<int:pk>/",
            admin_views.institution_history,
            name="invitations_institution_history",
        ),
        path(
            "invitations/batch/<int:pk>/letters.pdf",
            admin_views.batch_letters_pdf,
            name="invitations_batch_letters",
        ),
        path("invitations/letter/<int:pk>.pdf", admin_views.letter_pdf, name="invitations_letter_pdf"),
        path("invitations/outbox/<int:pk>.html", admin_views.outbox_html, name="invitations_outbox_html"),
    ]


@hooks.register("register_snippet_listing_buttons")
def invitation_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Batch) and user.has_perm("invitations.view_batch"):
        yield ListingButton(
            _("Report and sending"),
            reverse("invitations_batch_report", args=[snippet.pk]),
            icon_name="mail",
            priority=5,
        )
    elif isinstance(snippet, EmailTemplate) and user.has_perm("invitations.view_emailtemplate"):
        yield ListingButton(
            _("Preview and test send"),
            reverse("invitations_template_preview", args=[snippet.pk]),
            icon_name="view",
            priority=5,
        )
    elif isinstance(snippet, Audience) and user.has_perm("invitations.view_audience"):
        yield ListingButton(
            _("Count and exclusions"),
            reverse("invitations_audience_report", args=[snippet.pk]),
            icon_name="list-ul",
            priority=5,
        )
    elif isinstance(snippet, Letter) and user.has_perm("invitations.view_letter"):
        yield ListingButton(
            _("Letter (PDF)"),
            reverse("invitations_letter_pdf", args=[snippet.pk]),
            icon_name="download",
            priority=5,
        )
    elif (
        isinstance(snippet, Recipient)
        and snippet.channel == Batch.Channel.LETTER
        and user.has_perm("invitations.view_letter")
    ):
        letter_id = Letter.objects.filter(recipient_id=snippet.pk).values_list("pk", flat=True).first()
        if letter_id:
            yield ListingButton(
                _("Letter (PDF)"),
                reverse("invitations_letter_pdf", args=[letter_id]),
                icon_name="download",
                priority=5,
            )
    elif isinstance(snippet, Institution) and user.has_perm("invitations.view_recipient"):
        yield ListingButton(
            _("Invitations"),
            reverse("invitations_institution_history", args=[snippet.pk]),
            icon_name="mail",
            priority=80,
        )
    elif isinstance(snippet, OutboxMessage) and user.has_perm("invitations.view_outboxmessage"):
        yield ListingButton(
            _("Show as received"),
            reverse("invitations_outbox_html", args=[snippet.pk]),
            icon_name="view",
            priority=5,
        )


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action("jemputbola.batch_start", _("Start sending"), _("Sending started"))
    actions.register_action("jemputbola.batch_pause", _("Pause sending"), _("Sending paused"))
    actions.register_action("jemputbola.batch_resume", _("Resume sending"), _("Sending resumed"))
    actions.register_action("jemputbola.batch_cancel", _("Cancel sending"), _("Sending cancelled"))
    actions.register_action(
        "jemputbola.batch_rescheduled",
        _("Sending moved"),
        _("Sending moved with the end of the online phase"),
    )
    actions.register_action("jemputbola.rsvp", _("RSVP answer"), _("A contact answered the invitation"))
    actions.register_action("jemputbola.test_send", _("Test send"), _("Test message sent"))
