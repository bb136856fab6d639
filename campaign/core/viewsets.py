"""Snippet ViewSets whose every view asks the model's permission policy which rows exist.

Wagtail's generic views check *model* permissions, and only some of them (edit, delete,
copy) ask the policy about the *instance*; history, usage, inspect, revisions and the
choosers read any row by its id. ``ScopedSnippetViewSet`` closes that at the one place
every view passes through, ``construct_view``:

- a view whose URL names an object (``pk``) answers 404 unless the object is among the
  rows the policy lets the user see (``SEE`` actions) — this includes views a later
  Wagtail release adds;
- the listing (and its export) and the choosers start from those rows;
- forms offer, for a choice of a model with a scoped policy, only the rows the user may
  see, and keep the hidden rows already in a many-to-many choice;
- the copy view works on an unsaved copy: Wagtail's binds its form to the original, so a
  POST to ``copy/<pk>/`` (its form posts to ``add/``, a crafted request need not)
  saved over the original row;
- a ViewSet that names its app's service (``save_service``) has its add, copy and edit
  views save through it (``ServiceSaveMixin``): the admin is one more caller of the
  service, with the same validation and side effects as the field app, imports and demo.
"""

import functools

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404
from django.utils.functional import lazy
from django.utils.translation import gettext
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic.models import CreateView, EditView
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import CopyView, SnippetViewSet
from wagtail.snippets.widgets import AdminSnippetChooser

from .models import Region
from .offices import area_region_ids

SEE = ("view", "change", "delete")


def visible_to(user, model):
    """The rows of ``model`` that ``user`` may see at all, by the model's policy."""
    return policy_registry.get_by_type(model).instances_user_has_any_permission_for(user, SEE)


def _has_row_scope(model):
    """Whether ``model``'s policy narrows rows (policies say so with ``scopes_rows``)."""
    policy = policy_registry.get_by_type(model, fallback=False)
    return getattr(policy, "scopes_rows", False)


def object_in_scope(view, model):
    """Wrap a view so that an object named by its URL is a 404 outside the user's rows."""

    @functools.wraps(view)
    def scoped_view(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            try:
                found = visible_to(request.user, model).filter(pk=unquote(str(pk))).exists()
            except (ValueError, TypeError, ValidationError):
                found = False
            if not found:
                raise Http404
        return view(request, *args, **kwargs)

    return scoped_view


def unsaved_copy(obj):
    """A new, unsaved object with ``obj``'s editable values (and, for a cluster, its
    child rows and parental many-to-many values); keys and unique values are left out."""
    model = type(obj)
    skip = [f.name for f in model._meta.concrete_fields if f.primary_key or f.unique or not f.editable]
    if isinstance(obj, ClusterableModel):
        copy, _children = obj.copy_cluster(exclude_fields=skip)
        return copy
    return model(
        **{f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.name not in skip}
    )


class ScopedCopyView(CopyView):
    def get_initial_form_instance(self):
        return unsaved_copy(self.get_object())


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: a field the form shows gets its own
    messages, the rest are the form's (a service may name a field the form leaves out)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.error_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


class ServiceSaveMixin:
    """Create and edit views that save through the ViewSet's service.

    The form validates what it can see (types, choices in scope); it then hands the
    instance, with the form's values applied but unsaved (a cluster's child rows and
    parental many-to-many choices in memory), to ``save_service``, which validates the
    business rules, saves, logs and runs the side effects. Plain many-to-many choices are
    written after it (they need the saved row). A ``ValidationError`` from the service is
    shown on the form and nothing is saved.
    """

    #: ``save_service(*, instance, form, user) -> instance``, given by the ViewSet.
    save_service = None

    def save_instance(self):
        instance = self.form.save(commit=False)
        instance = self.save_service(instance=instance, form=self.form, user=self.request.user)
        self.form.save_m2m()
        return instance

    def form_valid(self, form):
        adding = form.instance._state.adding
        try:
            return super().form_valid(form)
        except ValidationError as error:
            if adding:
                # The transaction rolled back: the row the service may have inserted is gone.
                form.instance.pk = None
                form.instance._state.adding = True
            add_service_errors(form, error)
            # What Wagtail's ``is_valid`` sets when the form itself refuses.
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ScopedModelForm(WagtailAdminModelForm):
    """Choices of a model with a scoped policy offer only the rows the user may see, and
    choices of regions only those of a regency office's area; a many-to-many choice keeps
    the rows the user cannot see (a member editing a Rakorcam shared with another team does
    not remove that team)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_hidden = {}
        if self.for_user is None:
            return
        # Regions' own forms (the map centre) place nothing.
        area = area_region_ids(self.for_user) if self._meta.model is not Region else None
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and queryset.model is Region and area is not None:
                # A regency office's staff place rows (an institution, a team, an
                # audience's regions) only in their office's area.
                field.queryset = queryset.filter(pk__in=area)
                continue
            if queryset is None or not _has_row_scope(queryset.model):
                continue
            visible = visible_to(self.for_user, queryset.model).values("pk")
            field.queryset = queryset.filter(pk__in=visible)
            if isinstance(field, forms.ModelMultipleChoiceField) and self.instance.pk:
                hidden = getattr(self.instance, name).exclude(pk__in=visible)
                self._kept_hidden[name] = set(hidden.values_list("pk", flat=True))

    def clean(self):
        cleaned_data = super().clean()
        for name, hidden in self._kept_hidden.items():
            if hidden and name in cleaned_data:
                chosen = {obj.pk for obj in cleaned_data[name]}
                model = self.fields[name].queryset.model
                cleaned_data[name] = model._default_manager.filter(pk__in=chosen | hidden)
        return cleaned_data


class ScopedChooserMixin:
    """Chooser views list and return only the rows the user may see."""

    def get_object_list(self):
        visible = visible_to(self.request.user, self.model_class)
        return super().get_object_list().filter(pk__in=visible.values("pk"))

    def get_object(self, pk):
        return visible_to(self.request.user, self.model_class).get(pk=pk)

    def get_objects(self, pks):
        return visible_to(self.request.user, self.model_class).filter(pk__in=pks)


def _lazy_text(text, name):
    return lazy(lambda: gettext(text) % {"object": name}, str)()


class LanguageChooserWidget(AdminSnippetChooser):
    """Wagtail's snippet chooser with its button texts ("Choose team") in the language of
    each request. Wagtail writes them when the widget is built, and a model's edit form is
    built once per process: every user then read the first user's language."""

    def __init__(self, model=None, **kwargs):
        super().__init__(model, **kwargs)
        name = self.model._meta.verbose_name
        self.choose_one_text = _lazy_text("Choose %(object)s", name)
        self.choose_another_text = _lazy_text("Choose another %(object)s", name)
        self.link_to_chosen_text = _lazy_text("Edit this %(object)s", name)


class ScopedChooserViewSet(SnippetChooserViewSet):
    base_widget_class = LanguageChooserWidget

    def construct_view(self, view_class, **kwargs):
        view_class = type(
            view_class.__name__, (ScopedChooserMixin, view_class), {"__module__": view_class.__module__}
        )
        return object_in_scope(super().construct_view(view_class, **kwargs), self.model)


class ScopedSnippetViewSet(SnippetViewSet):
    """A snippet ViewSet whose every view goes through the model's permission policy.

    A subclass whose model has a service defines ``save_service(self, *, instance, form,
    user)``, calling that service; its add, copy and edit views then save through it.
    """

    copy_view_class = ScopedCopyView
    chooser_viewset_class = ScopedChooserViewSet
    save_service = None

    def construct_view(self, view_class, **kwargs):
        if self.save_service is not None and issubclass(view_class, (CreateView, EditView)):
            view_class = type(
                view_class.__name__, (ServiceSaveMixin, view_class), {"__module__": view_class.__module__}
            )
            kwargs["save_service"] = self.save_service
        return object_in_scope(super().construct_view(view_class, **kwargs), self.model)

    def get_queryset(self, request):
        return visible_to(request.user, self.model)

    def get_edit_handler(self):
        edit_handler = super().get_edit_handler()
        own = getattr(self.model, "base_form_class", None)
        if own is not None and not issubclass(own, ScopedModelForm):
            # A form of the model's own must scope its choices too, or a member could pick
            # another team's rows in it.
            raise ImproperlyConfigured(f"{own.__qualname__} must subclass ScopedModelForm")
        if edit_handler is not None and edit_handler.base_form_class is None and own is None:
            edit_handler.base_form_class = ScopedModelForm
        return edit_handler
