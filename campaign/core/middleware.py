from django.conf import settings


class AdminContentSecurityPolicyMiddleware:
    """Gives the Wagtail admin its own Content-Security-Policy.

    Wagtail's admin still uses a few inline style attributes, so it gets the policy in
    ``SECURE_CSP_ADMIN``; public pages keep the strict ``SECURE_CSP``. Sits after
    Django's CSP middleware in MIDDLEWARE so it runs before it on the response.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = getattr(settings, "WAGTAILADMIN_PATH_PREFIX", "/admin/")

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "SECURE_CSP_ADMIN", None)
        if policy is not None and request.path.startswith(self.prefix):
            response._csp_config = policy
        return response
