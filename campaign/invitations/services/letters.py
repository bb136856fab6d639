"""Official letters: who a letter batch goes to (one letter per institution, to its
head), numbering under a locked counter, and the printed letters.

Numbers run per office and year and are never reused or skipped: a chunk locks its
office's counter row for the year (``select_for_update``), writes the letters with the
next numbers, moves the counter and marks the recipients in one transaction. Two
workers wait on the lock one after the other; a failure anywhere rolls the numbers back
with the letters, and the claimed rows go back to pending for the next run (no provider
is involved: nothing can have "gone out" half-way).
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from .. import merge
from ..models import Audience, Batch, Letter, LetterCounter, LetterTemplate, Recipient
from ..selectors import audience_contacts

# A contact whose position reads like the head of the institution gets its letter.
_HEAD = re.compile(
    r"\b(kepala|ketua|direktur|rektor|pimpinan|sekretaris|camat|bupati|wali ?kota|head|director)\b", re.I
)

_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
MONTHS_ID = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def date_id(day: datetime.date) -> str:
    """A date as Indonesian letters write it: 5 Desember 2026."""
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def letter_number(number_format: str, *, seq: int, day: datetime.date, office_code: str = "") -> str:
    """The number a format gives for ``seq`` on ``day`` (placeholders: see the model)."""
    values = {
        "seq": str(seq),
        "month_roman": _ROMAN[day.month - 1],
        "month": str(day.month),
        "year": str(day.year),
        "office_code": office_code,
    }
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), number_format)


def compile_letter(template: LetterTemplate) -> merge.Compiled:
    """The letter's subject and body with their placeholders, compiled once per batch."""
    body = expand_db_html(template.body)
    return merge.Compiled(subject=template.subject, html=body, text="")


def letter_template_save(*, template: LetterTemplate | None = None, user=None, **fields) -> LetterTemplate:
    from campaign.core.services import validated_save

    template = template or LetterTemplate()
    for name, value in fields.items():
        setattr(template, name, value)
    return validated_save(template, user=user)


def _is_head(position: str) -> bool:
    return bool(_HEAD.search(position or ""))


def letter_recipients_for_audience(batch: Batch) -> tuple[list[Recipient], dict]:
    """Recipient rows (unsaved) of a letter batch: one per institution of the audience,
    addressed to its head (a contact whose position says so, else its first contact)."""
    from ..selectors import latest_plans

    audience = batch.audience
    if audience.target != Audience.Target.INSTITUTIONS:
        raise ValidationError(_("Letters go to institutions: choose an audience of institution contacts."))
    contacts = audience_contacts(audience=audience, office=batch.office)
    rows = contacts.order_by("institution_id", "pk").values_list(
        "pk", "name", "position", "institution_id", "opted_out_at", "erased_at"
    )
    chosen: dict[int, tuple] = {}
    excluded = {}
    selected = 0
    for pk, name, position, institution_id, opted_out_at, erased_at in rows.iterator(chunk_size=5000):
        selected += 1
        if erased_at is not None:
            excluded["erased"] = excluded.get("erased", 0) + 1
            continue
        if opted_out_at is not None:
            excluded["opted_out"] = excluded.get("opted_out", 0) + 1
            continue
        current = chosen.get(institution_id)
        if current is None or (_is_head(position) and not _is_head(current[2])):
            if current is not None:
                excluded["same_institution"] = excluded.get("same_institution", 0) + 1
            chosen[institution_id] = (pk, name, position)
        else:
            excluded["same_institution"] = excluded.get("same_institution", 0) + 1
    plans = latest_plans(institution_ids=list(chosen), week=audience.week) if chosen else {}
    from .batches import _session_time

    recipients = []
    for institution_id, (pk, name, _position) in sorted(chosen.items(), key=lambda item: item[1][0]):
        team_id, day = plans.get(institution_id, (batch.team_id, None))
        recipients.append(
            Recipient(
                batch=batch,
                channel=Batch.Channel.LETTER,
                contact_id=pk,
                institution_id=institution_id,
                team_id=team_id or batch.team_id,
                email="",
                name=name,
                language="id",
                proposed_at=_session_time(day, batch.proposed_at),
            )
        )
    return recipients, {"selected": selected, "excluded": excluded}


def _clock():
    """Now: the day a letter is numbered (tests move it)."""
    return timezone.now()


@dataclass
class Numbered:
    sent: int = 0
    failed: int = 0
    institution_ids: list = None


def _counter(office_key: int, year: int) -> LetterCounter:
    """The (office, year) counter row, locked until the transaction ends."""
    return LetterCounter.objects.select_for_update().get(office_key=office_key, year=year)


def _address(recipient: Recipient) -> str:
    institution = recipient.institution
    if institution is None:
        return ""
    return institution.address.strip() or (institution.region.name if institution.region_id else "")


def letters_number(*, batch: Batch, claim: str, now=None) -> Numbered:
    """Number and write the letters of the recipients ``claim`` holds (one transaction:
    see the module's docstring). Recipients whose letter cannot be written (a required
    merge field without a value) fail without a number."""
    from .sending import MessageLinks, _unrenderable_reason, claim_filter, merge_values

    now = now or _clock()
    day = timezone.localtime(now).date()
    office = batch.office
    office_key = office.pk if office is not None else 0
    template = batch.letter_template
    compiled = compile_letter(template)
    links = MessageLinks(batch)
    result = Numbered(institution_ids=[])
    # The row exists before the numbering transaction: creating it is the only moment
    # two first workers of a year could collide, and get_or_create settles that.
    LetterCounter.objects.get_or_create(office_key=office_key, year=day.year)
    with transaction.atomic():
        counter = _counter(office_key, day.year)
        claimed = list(
            Recipient.objects.filter(claim_filter(claim))
            .select_related("contact", "institution__region", "team")
            .order_by("pk")
        )
        done = set(Letter.objects.filter(recipient__in=claimed).values_list("recipient_id", flat=True))
        letters, numbered, failed = [], [], []
        for recipient in claimed:
            if recipient.pk in done:  # numbered before: never a second number
                numbered.append(recipient.pk)
                continue
            recipient.language = "id"
            values = merge_values(recipient, links)
            try:
                rendered = compiled.render(values)
            except merge.Unrenderable as error:
                failed.append((recipient.pk, _unrenderable_reason(error)))
                continue
            counter.last += 1
            contact = recipient.contact
            letters.append(
                Letter(
                    recipient=recipient,
                    batch=batch,
                    office=office,
                    office_key=office_key,
                    year=day.year,
                    seq=counter.last,
                    number=letter_number(
                        template.number_format,
                        seq=counter.last,
                        day=day,
                        office_code=office.code if office is not None else "",
                    ),
                    date=day,
                    addressee=recipient.name,
                    position=contact.position if contact else "",
                    institution=str(recipient.institution or ""),
                    address=_address(recipient),
                    subject=rendered.subject,
                    attachments=template.attachments,
                    body=rendered.html,
                    rsvp_url=values["rsvp_link"],
                    signatory_name=template.signatory_name,
                    signatory_position=template.signatory_position,
                    signatory_nip=template.signatory_nip,
                )
            )
            numbered.append(recipient.pk)
            if recipient.institution_id:
                result.institution_ids.append(recipient.institution_id)
        Letter.objects.bulk_create(letters)
        counter.save(update_fields=["last"])
        result.sent = Recipient.objects.filter(claim_filter(claim), pk__in=numbered).update(
            status=Recipient.Status.SENT, status_at=now, sent_at=now, claim="", error=""
        )
        for pk, reason in failed:
            result.failed += Recipient.objects.filter(claim_filter(claim), pk=pk).update(
                status=Recipient.Status.FAILED, status_at=now, error=reason[:500], claim=""
            )
    return result


# --- Printing -------------------------------------------------------------------------------


def _image_bytes(image, spec: str) -> bytes | None:
    """A PNG rendition of a Wagtail image (a letterhead logo, a signature), or None."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
        with rendition.file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def letterhead_for(office):
    """The office's own letterhead, else the site settings' (the province's)."""
    from campaign.core.models import LetterheadSettings

    from ..letters_pdf import Letterhead

    head = office.letterheads.select_related("logo").first() if office is not None else None
    if head is None:
        from wagtail.models import Site

        site = Site.objects.filter(is_default_site=True).first()
        head = LetterheadSettings.for_site(site) if site is not None else LetterheadSettings()
    return Letterhead(
        line_1=head.line_1,
        line_2=head.line_2,
        address=head.address,
        contact_line=head.contact_line,
        place=head.place,
        logo=_image_bytes(head.logo, "max-300x300|format-png"),
    )


def letter_content(letter: Letter):
    from ..letters_pdf import LetterContent

    return LetterContent(
        number=letter.number,
        date=letter.date,
        subject=letter.subject,
        addressee=letter.addressee,
        rsvp_url=letter.rsvp_url,
        position=letter.position,
        institution=letter.institution,
        address=letter.address,
        attachments=letter.attachments,
        body_html=letter.body,
        signatory_name=letter.signatory_name,
        signatory_position=letter.signatory_position,
        signatory_nip=letter.signatory_nip,
    )


def letters_print(*, batch: Batch, letters=None) -> bytes:
    """The letters of ``batch`` (all of them in number order, or ``letters``) as one PDF."""
    from ..letters_pdf import letters_pdf

    if letters is None:
        letters = batch.letters.order_by("year", "seq")
    template = batch.letter_template
    signature = _image_bytes(template.signature_image, "max-600x200|format-png") if template else None
    return letters_pdf(
        letterhead_for(batch.office),
        (letter_content(letter) for letter in letters.iterator(chunk_size=500)),
        signature=signature,
        title=batch.name,
    )
