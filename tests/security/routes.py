"""Discovery of the URLs this project defines, for the permission and CSRF suites."""

from django.urls import URLPattern, URLResolver, get_resolver

# Our apps' labels: Wagtail snippet viewsets for their models are ours to check.
PROJECT_APPS = ("core", "institutions", "materials", "news", "invitations", "fieldapp")
PROJECT_NAMESPACES = ("materials", "invitations", "fieldapp", "news")
PROJECT_NAMES = ("healthz", "sitemap", "set_language")


def _walk(resolver, namespaces=(), prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            callback = pattern.callback
            module = getattr(getattr(callback, "view_class", None), "__module__", None) or callback.__module__
            yield ":".join((*namespaces, pattern.name)), prefix + str(pattern.pattern), module or ""


def all_routes():
    """(name, pattern, view module) for every named route of the root URLconf."""
    return list(_walk(get_resolver()))


def snippet_namespaces():
    """Namespaces of the Wagtail snippet viewsets registered for our models."""
    found = set()
    for name, _pattern, _module in all_routes():
        namespace = name.split(":")[0]
        if namespace.startswith("wagtailsnippets_") and namespace.split("_")[1] in PROJECT_APPS:
            found.add(namespace)
    return found


def project_route_names():
    """Every route we define: our own views (in and out of the admin), our URLconfs'
    namespaces, and the list view of every snippet viewset for one of our models."""
    names = set()
    for name, _pattern, module in all_routes():
        namespace = name.split(":")[0] if ":" in name else ""
        if module == "campaign.core.viewsets":
            # The generic views of our ViewSets: every one of their URLs, for every role,
            # is in test_viewset_permissions.py.
            continue
        if module.startswith("campaign.") or namespace in PROJECT_NAMESPACES or name in PROJECT_NAMES:
            names.add(name)
    names |= {f"{namespace}:list" for namespace in snippet_namespaces()}
    return names


def anymail_route_names():
    return {name for name, _pattern, _module in all_routes() if name.startswith("anymail:")}
