"""Writes of the invitations app, one module per subject: ``templates`` (templates,
audiences, preview and test send), ``batches`` (a batch's life), ``sending`` (chunks and
their queueing), ``tracking`` (provider events), ``suppression`` (addresses never mailed
again, erasure) and ``rsvp`` (answers). Callers import from the package.

Sending never mails an address twice: a worker claims pending recipients with one
conditional UPDATE (``status = pending`` → ``sending``, tagged with the worker's claim)
and only sends what it claimed; the sent marks are written together (one UPDATE per
250 messages), always before unsent claims are put back. A provider error stops the
chunk and puts the unsent claims back; a re-run sends only those. An error that does
not prove the message was refused (a timeout after the request went out) makes that
recipient "uncertain", like the rows a worker lost mid-send may have been: the
provider's webhook or staff settle them, no run sends them again
(``campaign.core.delivery``, ``batches_recover_interrupted``).
"""

from .batches import (
    DEFAULT_SESSION_HOUR,
    MissingValue,
    batch_cancel,
    batch_create,
    batch_missing_values,
    batch_pause,
    batch_remind,
    batch_resume,
    batch_save,
    batch_start,
    batches_reschedule_relative,
    batches_start_due,
    relative_send_at,
)
from .letters import (
    date_id,
    letter_number,
    letter_template_save,
    letterhead_for,
    letters_number,
    letters_print,
)
from .rsvp import RsvpResult, rsvp_confirmation_send, rsvp_record
from .sending import (
    ChunkResult,
    MessageLinks,
    batch_chunk_enqueue,
    batch_send_can_defer,
    batch_send_chunk,
    batches_recover_interrupted,
    build_message,
    chunk_delay,
    claim_filter,
    compile_template,
    merge_values,
    recipient_table,
    recipients_send_again,
)
from .session_reminders import reminder_template, session_reminders_queue
from .suppression import (
    phone_suppression_save,
    recipients_erase,
    suppression_add,
    suppression_insert,
    unsubscribe,
)
from .templates import audience_save, email_template_save, sample_values, template_preview, template_test_send
from .tracking import bounce_kind, dedupe_key, machine_open, tracking_event_apply

__all__ = [
    "DEFAULT_SESSION_HOUR",
    "ChunkResult",
    "MessageLinks",
    "MissingValue",
    "RsvpResult",
    "audience_save",
    "batch_cancel",
    "batch_chunk_enqueue",
    "batch_create",
    "batch_missing_values",
    "batch_pause",
    "batch_remind",
    "batch_resume",
    "batch_save",
    "batch_send_can_defer",
    "batch_send_chunk",
    "batch_start",
    "batches_recover_interrupted",
    "batches_reschedule_relative",
    "batches_start_due",
    "relative_send_at",
    "reminder_template",
    "session_reminders_queue",
    "bounce_kind",
    "build_message",
    "chunk_delay",
    "date_id",
    "letter_number",
    "letter_template_save",
    "letterhead_for",
    "letters_number",
    "letters_print",
    "claim_filter",
    "compile_template",
    "dedupe_key",
    "email_template_save",
    "machine_open",
    "merge_values",
    "recipient_table",
    "recipients_erase",
    "recipients_send_again",
    "rsvp_confirmation_send",
    "rsvp_record",
    "sample_values",
    "phone_suppression_save",
    "suppression_add",
    "suppression_insert",
    "template_preview",
    "template_test_send",
    "tracking_event_apply",
    "unsubscribe",
]
