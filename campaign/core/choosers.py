"""The region chooser offers only the levels the field takes.

A foreign key to ``Region`` usually limits its choices to some levels (an institution's
district is a regency or a district, a Rakorcam's a district). Django's form field applies
``limit_choices_to`` when it validates, but Wagtail's chooser modal lists every row of the
model: staff were offered the province first and the form then refused it. Here the
widget carries the field's levels in its modal URL (``?levels=regency,district``), the
chooser views list only those levels, and searching or paging in the modal keeps them.
"""

from urllib.parse import urlencode

from django.db.models import ForeignKey
from wagtail.admin.forms.models import register_form_field_override

from .viewsets import LanguageChooserWidget, ScopedChooserViewSet

LEVELS_PARAMETER = "levels"


def field_levels(db_field):
    """The region levels a foreign key's ``limit_choices_to`` allows; () for all."""
    limit = db_field.remote_field.limit_choices_to
    if not isinstance(limit, dict):
        return ()
    if "level" in limit:
        return (str(limit["level"]),)
    return tuple(str(level) for level in limit.get("level__in", ()))


def requested_levels(request, model):
    """The levels named in the modal's URL, keeping only real ones."""
    known = {value for value, _label in model.Level.choices}
    named = request.GET.get(LEVELS_PARAMETER, "").split(",")
    return [level for level in named if level in known]


class RegionChooserWidget(LanguageChooserWidget):
    def __init__(self, model=None, levels=(), **kwargs):
        self.levels = tuple(levels)
        super().__init__(model, **kwargs)

    def get_chooser_modal_url(self):
        url = super().get_chooser_modal_url()
        if not self.levels:
            return url
        return f"{url}?{urlencode({LEVELS_PARAMETER: ','.join(self.levels)})}"


class LevelFilterMixin:
    def get_object_list(self):
        objects = super().get_object_list()
        levels = requested_levels(self.request, self.model_class)
        return objects.filter(level__in=levels) if levels else objects


class RegionChooserViewSet(ScopedChooserViewSet):
    base_widget_class = RegionChooserWidget
    preserve_url_parameters = ["multiple", LEVELS_PARAMETER]
    # The override below replaces Wagtail's, which would give every field the same widget.
    register_widget = False

    def construct_view(self, view_class, **kwargs):
        if hasattr(view_class, "get_object_list"):
            view_class = type(
                view_class.__name__, (LevelFilterMixin, view_class), {"__module__": view_class.__module__}
            )
        return super().construct_view(view_class, **kwargs)

    def on_register(self):
        super().on_register()
        widget_class = self.widget_class
        register_form_field_override(
            ForeignKey,
            to=self.model,
            # Called with each foreign key to Region: the widget gets that field's levels.
            override=lambda db_field: {"widget": widget_class(levels=field_levels(db_field))},
        )
