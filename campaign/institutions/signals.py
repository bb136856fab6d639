"""Signals other apps listen to."""

from django.dispatch import Signal

# Sent by services.contact_erase after a contact's personal data was removed, with
# ``contact`` (already anonymised) and ``email`` (the address it had, possibly ""), so that
# apps holding copies of it (invitation recipients, tracking events, the outbox) erase
# them in the same transaction.
contact_erased = Signal()
