"""Admin: "sign out everywhere" for a user (a lost phone, a member leaving a team)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import log

from . import services


def _may_sign_out(request_user, user):
    return (
        request_user.is_superuser
        or (request_user.has_perm("auth.change_user") and not user.is_superuser)
        or request_user.pk == user.pk
    )


def sign_out_everywhere(request, pk):
    user = get_object_or_404(get_user_model(), pk=pk)
    if not _may_sign_out(request.user, user):
        raise PermissionDenied
    if request.method == "POST":
        count = services.user_sessions_end(user=user)
        log(user, "jemputbola.sign_out_everywhere", user=request.user, data={"sessions": count})
        messages.success(
            request,
            _("%(user)s was signed out on every device (%(count)d sessions ended).")
            % {"user": user.get_username(), "count": count},
        )
        if request.user.pk == user.pk:
            return redirect("wagtailadmin_login")
        return redirect("wagtailusers_users:index")
    return TemplateResponse(request, "fieldapp/admin/sign_out_everywhere.html", {"target": user})


@hooks.register("register_admin_urls")
def register_urls():
    return [
        path("users/<int:pk>/sign-out-everywhere/", sign_out_everywhere, name="fieldapp_sign_out_everywhere")
    ]


@hooks.register("register_user_listing_buttons")
def sign_out_button(user, request_user):
    if _may_sign_out(request_user, user):
        yield ListingButton(
            gettext_lazy("Sign out everywhere"),
            reverse("fieldapp_sign_out_everywhere", args=[user.pk]),
            icon_name="logout",
            priority=80,
        )


@hooks.register("register_log_actions")
def register_log_actions(actions):
    actions.register_action(
        "jemputbola.sign_out_everywhere",
        gettext_lazy("Sign out everywhere"),
        gettext_lazy("Signed out on every device"),
    )
