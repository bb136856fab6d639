"""The invitations app's part in carrying a campaign over (``campaign.core.carryover``):
the email templates and audiences of the earlier campaign (its own, and those of no
campaign) are copied for the new one; no batch is (a batch is what happened)."""

from django.db.models import Q

from campaign.core.carryover import LETTER_TEMPLATES_STEP, register_copy_step
from campaign.institutions.carryover import team_map

from .models import Audience, EmailTemplate, LetterTemplate


def _free_name(model, name: str, suffix: str, taken: set) -> str:
    """``name — suffix`` (template and audience names are unique), numbered if taken."""
    limit = model._meta.get_field("name").max_length
    base = f"{name} — {suffix}" if suffix else name
    candidate, n = base[:limit], 2
    while candidate in taken:
        candidate = f"{base[: limit - 4]} ({n})"
        n += 1
    taken.add(candidate)
    return candidate


def _of(source):
    return Q(campaign=source) | Q(campaign__isnull=True)


def templates_copy(*, source, target, options, user=None) -> int:
    taken = set(EmailTemplate.objects.values_list("name", flat=True))
    suffix = target.short_name or target.name
    copies = [
        EmailTemplate(
            name=_free_name(EmailTemplate, template.name, suffix, taken),
            campaign=target,
            subject_id=template.subject_id,
            body_id=template.body_id,
            subject_en=template.subject_en,
            body_en=template.body_en,
            button_label_id=template.button_label_id,
            button_label_en=template.button_label_en,
            for_session_reminders=template.for_session_reminders,
            whatsapp_template=template.whatsapp_template,
            whatsapp_parameters=template.whatsapp_parameters,
            sms_text=template.sms_text,
        )
        for template in EmailTemplate.objects.filter(_of(source)).order_by("pk")
    ]
    return len(EmailTemplate.objects.bulk_create(copies))


def letter_templates_copy(*, source, target, options, user=None) -> int:
    """Every letter template, named for ``target``, to be edited for it (the letters
    name their census in the subject and body). Letter templates belong to no campaign;
    the register keeps each issued letter as it was numbered, so old letters never change."""
    taken = set(LetterTemplate.objects.values_list("name", flat=True))
    suffix = target.short_name or target.name
    copies = []
    for template in LetterTemplate.objects.order_by("pk"):
        template.pk = template.id = None
        template.name = _free_name(LetterTemplate, template.name, suffix, taken)
        copies.append(template)
    return len(LetterTemplate.objects.bulk_create(copies))


def audiences_copy(*, source, target, options, user=None) -> int:
    """Each audience with its filters; its teams become their copies in ``target``, its
    planned week the same week of ``target``."""
    taken = set(Audience.objects.values_list("name", flat=True))
    suffix = target.short_name or target.name
    teams = team_map(source=source, target=target)
    weeks = dict(zip(source.weeks(), target.weeks(), strict=False))
    audiences = list(Audience.objects.filter(_of(source)).prefetch_related("kinds", "regions", "teams"))
    copies = Audience.objects.bulk_create(
        [
            Audience(
                name=_free_name(Audience, audience.name, suffix, taken),
                campaign=target,
                target=audience.target,
                statuses=list(audience.statuses),
                week=weeks.get(audience.week) if audience.week else None,
                mediums=list(audience.mediums),
                office_id=audience.office_id,
            )
            for audience in audiences
        ]
    )
    kinds, regions, chosen_teams = [], [], []
    for audience, copy in zip(audiences, copies, strict=True):
        kinds += [
            Audience.kinds.through(audience_id=copy.pk, institutionkind_id=k.pk) for k in audience.kinds.all()
        ]
        regions += [
            Audience.regions.through(audience_id=copy.pk, region_id=r.pk) for r in audience.regions.all()
        ]
        chosen_teams += [
            Audience.teams.through(audience_id=copy.pk, team_id=teams[t.pk])
            for t in audience.teams.all()
            if t.pk in teams
        ]
    Audience.kinds.through.objects.bulk_create(kinds)
    Audience.regions.through.objects.bulk_create(regions)
    Audience.teams.through.objects.bulk_create(chosen_teams)
    return len(copies)


def register():
    register_copy_step("email_templates", templates_copy)
    register_copy_step(LETTER_TEMPLATES_STEP, letter_templates_copy)
    register_copy_step("audiences", audiences_copy)
