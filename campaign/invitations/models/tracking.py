"""What came back: provider events, the suppression list, and the demo outbox."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The sources our code writes, as people read them; a source typed by staff (or a
# provider's name) is shown as it is.
SOURCE_LABELS = {
    "unsubscribe page": _("unsubscribe page"),
    "one-click": _("one-click unsubscribe from the mail client"),
    "unsubscribe page, every channel": _("unsubscribe page, every channel"),
    "demo": _("demo data"),
}


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


class Suppression(models.Model):
    """An address no bulk message goes to again, and why."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Hard bounce")
        SOFT_BOUNCES = "soft_bounces", _("Repeated soft bounces")
        COMPLAINT = "complaint", _("Spam complaint")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        MANUAL = "manual", _("Added by staff")

    wagtail_reference_index_ignore = True

    email = models.EmailField(_("email"), unique=True)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    source = models.CharField(
        _("source"), max_length=100, blank=True, help_text=_("Provider, link or person that reported it.")
    )
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("suppressed"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self):
        return self.email

    def source_display(self) -> str:
        return source_label(self.source)


class TrackingEvent(models.Model):
    """One provider event, stored once: ``dedupe_key`` makes a retried webhook a no-op."""

    # Written at webhook speed: keep Wagtail's reference index out of it.
    wagtail_reference_index_ignore = True

    dedupe_key = models.CharField(max_length=64, unique=True)
    provider = models.CharField(_("provider"), max_length=30)
    event_type = models.CharField(_("event"), max_length=20)
    event_id = models.CharField(max_length=255, blank=True)
    message_id = models.CharField(_("message ID"), max_length=255, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    occurred_at = models.DateTimeField(_("time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    recipient = models.ForeignKey(
        "invitations.Recipient", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    bounce_kind = models.CharField(max_length=4, blank=True)
    machine = models.BooleanField(_("machine open"), default=False)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        indexes = [
            models.Index(fields=["email", "bounce_kind"], name="trackingevent_soft_bounces"),
            models.Index(fields=["message_id"], name="trackingevent_message"),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_type} {self.email}"


class OutboxMessage(models.Model):
    """A message the demo "Outbox" backend kept instead of sending it."""

    wagtail_reference_index_ignore = True

    message_id = models.CharField(max_length=64, unique=True)
    from_email = models.CharField(_("from"), max_length=300)
    to = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("plain text"))
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict)
    attachments = models.JSONField(_("attachments"), default=list)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self):
        return self.subject
