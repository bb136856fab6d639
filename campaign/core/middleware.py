from django.conf import settings
from django.utils.csp import CSP

# Admin views that anyone may open: they keep the strict public policy.
STRICT_ADMIN_VIEWS = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
}


class AdminContentSecurityPolicyMiddleware:
    """Gives the signed-in Wagtail admin its own Content-Security-Policy.

    Wagtail 8's admin is not compatible with a strict ``script-src`` (wagtail/wagtail#1288):
    chooser and date widgets, inline panels and chooser modals run inline ``<script>``
    blocks, and the admin sets inline styles. Signed-in admin pages therefore get
    ``SECURE_CSP_ADMIN`` (settings/base.py documents each directive). Everything else keeps
    the strict ``SECURE_CSP``: public pages, token pages, the field app, and the admin's
    login and password-reset pages, which anyone can open.

    Admin views that allow same-origin framing (Wagtail's live preview, X-Frame-Options
    SAMEORIGIN) get ``frame-ancestors 'self'`` to match; every other admin page stays
    ``frame-ancestors 'none'``.

    Sits after Django's CSP middleware in MIDDLEWARE so it runs before it on the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = getattr(settings, "WAGTAILADMIN_PATH_PREFIX", "/admin/")

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "SECURE_CSP_ADMIN", None)
        # A view with a policy of its own (``csp_override``: the sandboxed email preview)
        # keeps it.
        if policy is not None and self.is_signed_in_admin(request) and not hasattr(response, "_csp_config"):
            if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
                policy = {**policy, "frame-ancestors": [CSP.SELF]}
            response._csp_config = policy
        return response

    def is_signed_in_admin(self, request):
        if not request.path.startswith(self.prefix):
            return False
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in STRICT_ADMIN_VIEWS:
            return False
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)


class ClientAddressMiddleware:
    """Behind ``PROXY_HOPS`` trusted reverse proxies (a load balancer, nginx), the client
    is the address the outermost of them saw: the ``PROXY_HOPS``-th entry from the right of
    X-Forwarded-For. Each proxy appends the address it received from, so entries further
    left were written by the client and are not trusted. With no proxies (0, the default)
    REMOTE_ADDR is left alone and the header ignored.

    Login throttling, the field app's rate limits and scan counting key on this address;
    without it every visitor behind the load balancer would share the balancer's.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.hops = int(getattr(settings, "PROXY_HOPS", 0))

    def __call__(self, request):
        if self.hops:
            chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            chain = [part for part in chain if part]
            if len(chain) >= self.hops:
                request.META["REMOTE_ADDR"] = chain[-self.hops]
        return self.get_response(request)


class ProviderWebhookMiddleware:
    """Providers' tracking webhooks (``/anymail/<esp>/tracking/``, ``/webhooks/whatsapp/``
    and ``/webhooks/twilio/sms/``, POST) go straight to their view, ahead of the rest of
    the stack.

    A provider's POST carries no session, no language and no CSRF token, and its answer is
    read by a program: sessions, locale, CSRF (the views are exempt), authentication
    (anymail checks its own basic auth against ``ANYMAIL_WEBHOOK_SECRET``), messages, the
    Content-Security-Policy and the redirects table had nothing to do but cost about a
    third of a webhook's time at volume. The answer still gets the security middleware's
    headers (nosniff, referrer policy, HSTS on HTTPS); malformed bodies are refused by our
    wrapper around anymail's views as before. An exception in the view becomes
    the usual 500 through Django's handler, as before. Any other URL, method or a path
    that does not resolve to anymail goes down the stack as always.
    """

    PREFIX = ("/anymail/", "/webhooks/")
    ROUTES = ("anymail/", "webhooks/")

    def __init__(self, get_response):
        from django.middleware.security import SecurityMiddleware

        self.get_response = get_response
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request):
        if request.method != "POST" or not request.path_info.startswith(self.PREFIX):
            return self.get_response(request)
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not match.route.startswith(self.ROUTES):  # e.g. Wagtail's catch-all for a page
            return self.get_response(request)
        request.resolver_match = match
        redirect = self.security.process_request(request)  # SECURE_SSL_REDIRECT
        if redirect is not None:
            return redirect
        response = match.func(request, *match.args, **match.kwargs)
        return self.security.process_response(request, response)


# The query parameter that chooses the language of a page outside the language prefix.
LANGUAGE_PARAMETER = "bahasa"


def query_language(request) -> str | None:
    """The language a ``?bahasa=`` parameter asks for, when it is one of ours."""
    code = request.GET.get(LANGUAGE_PARAMETER, "")
    return code if code in dict(settings.LANGUAGES) else None


class QueryLanguageMiddleware:
    """The pages a contact or a media partner opens from a link (an RSVP, unsubscribe or
    progress page, a guide sheet) live outside the ``/en/`` prefix, so that a printed or
    forwarded link never changes: their language switch adds ``?bahasa=en`` instead, and
    this (after LocaleMiddleware) makes it the request's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        code = query_language(request)
        if code is not None:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)


def thanks_url(request) -> str:
    """Where a contact's form sends them after saving: the same page saying thank you, in
    the language they chose."""
    chosen = query_language(request)
    return f"{request.path}?terima-kasih=1" + (f"&{LANGUAGE_PARAMETER}={chosen}" if chosen else "")
