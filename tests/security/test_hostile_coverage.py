"""Every text field of ours goes through the hostile-input set on every surface that shows it,
or is listed here as never shown with the reason. A new field fails this test until it is
covered by one of the ``test_hostile_*`` modules (their ``COVERS``) or listed below."""

import importlib
import pkgutil

from django.apps import apps
from django.db import models
from wagtail.fields import RichTextField, StreamField

import tests.security

# Stored for the machine, never rendered as user text (or rendered only as a choice label).
INTERNAL = {
    ("institutions.Institution", "name_normalised"): "match key for imports, never shown",
    ("institutions.ErasedIdentity", "digest"): "hash of an erased address",
    ("institutions.PersonalDataLog", "model"): "model label written by our code",
    ("institutions.ImportRun", "source"): "import source written by our code",
    ("institutions.SessionWeekTally", "regency"): "a regency's BPS code copied from the reference data",
    ("institutions.SessionTeamTally", "regency"): "a regency's BPS code copied from the reference data",
    ("invitations.Recipient", "language"): "language code chosen from settings.LANGUAGES",
    ("invitations.Recipient", "claim"): "worker claim token",
    ("invitations.Recipient", "message_id"): "provider message id, shown in admin as text",
    ("invitations.Recipient", "bounce_kind"): "provider bounce class",
    ("invitations.TrackingEvent", "dedupe_key"): "hash for idempotency",
    ("invitations.TrackingEvent", "provider"): "ESP name from the webhook URL",
    ("invitations.TrackingEvent", "event_type"): "anymail's normalised event type",
    ("invitations.TrackingEvent", "event_id"): "provider event id",
    ("invitations.TrackingEvent", "message_id"): "provider message id",
    ("invitations.TrackingEvent", "bounce_kind"): "provider bounce class",
    ("invitations.OutboxMessage", "message_id"): "demo outbox id",
    ("invitations.Recipient", "phone"): "E.164 copied from the contact's phone, which the model normalises",
    ("invitations.ChannelSuppression", "phone"): "E.164 copied from a recipient's normalised phone",
    ("core.Region", "code"): "BPS code from ../shared/data",
    ("core.Region", "kemendagri_code"): "Kemendagri code from ../shared/data",
    ("core.Region", "kind"): "region level from ../shared/data",
    ("materials.GuidePack", "error"): "exception class name written by the pack task",
    ("institutions.ContactPurpose", "purpose"): (
        "the purpose as confirmed, kept as the record and shown on no page; stored as typed and "
        "copied into PersonalDataLog.detail (test_hostile_carryover; the log's export is covered)"
    ),
}

SURFACES = {"page", "admin", "email", "pdf", "feed", "ics", "export", "api", "refused"}


def text_fields():
    for config in apps.get_app_configs():
        if not config.name.startswith("campaign."):
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                if not getattr(field, "concrete", False) or field.model is not model:
                    continue
                if field.choices or isinstance(field, (models.URLField, models.SlugField, models.EmailField)):
                    continue
                if isinstance(field, (models.CharField, models.TextField, RichTextField, StreamField)):
                    yield (model._meta.label, field.name)


def covered():
    found = {}
    for module_info in pkgutil.iter_modules(tests.security.__path__):
        if module_info.name.startswith("test_hostile_") and module_info.name != "test_hostile_coverage":
            module = importlib.import_module(f"tests.security.{module_info.name}")
            for key, surfaces in getattr(module, "COVERS", {}).items():
                found.setdefault(key, set()).update(surfaces)
    return found


def test_every_text_field_is_driven_through_the_hostile_set_or_explained():
    fields = set(text_fields())
    assert len(fields) > 60  # the walk found our models
    done = covered()
    missing = sorted(fields - set(done) - set(INTERNAL))
    assert not missing, f"text fields with no hostile-input test: {missing}"


def test_coverage_names_real_fields_and_surfaces():
    fields = set(text_fields())
    for key, surfaces in covered().items():
        model_label, name = key
        model = apps.get_model(model_label)
        model._meta.get_field(name)  # raises for a typo
        assert surfaces and surfaces <= SURFACES, (key, surfaces)
    assert not set(INTERNAL) - fields, set(INTERNAL) - fields
