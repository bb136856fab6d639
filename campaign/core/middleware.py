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
