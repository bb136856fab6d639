"""Admin table columns shared by the apps' reports."""

from wagtail.admin.ui.tables import Column

from .numbers import format_number


class NumberColumn(Column):
    """A count or amount in the one number format (1.200 in Indonesian, 1,200 in English).

    Only the HTML cell is formatted: exports keep the raw number for spreadsheets.
    """

    def get_value(self, instance):
        return format_number(super().get_value(instance))
