from django.dispatch import Signal

# Sent after new or corrected official figures are written (public pages purge on it).
figures_changed = Signal()
