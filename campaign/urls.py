from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from campaign.core import views as core_views
from campaign.core.pagecache import cacheable
from campaign.materials.media import serve_media

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", cacheable(sitemap), name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Uploads: never by name alone, in development as in production (campaign.materials.media
# decides; the proxy only delivers what the app hands it, see docs/operations.md).
urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media")]

# QR codes (/q/<code>) and token links: printed or sent, so without a language prefix.
urlpatterns += [path("", include("campaign.materials.urls"))]
# Invitation links (RSVP, unsubscribe) and the providers' tracking webhooks
# (/anymail/<esp>/tracking/, basic auth from ANYMAIL_WEBHOOK_SECRET).
urlpatterns += [
    path("", include("campaign.invitations.urls")),
    path("anymail/", include("anymail.urls")),
]
# An institution's "how many of our staff are done" link, sent after a guided visit.
urlpatterns += [path("", include("campaign.institutions.urls"))]
# The field app (an installable PWA for guiding teams); its address never changes.
urlpatterns += [path("lapangan/", include("campaign.fieldapp.urls"))]

# Public pages: Indonesian at /, English under /en/. Wagtail's catch-all comes last.
urlpatterns += i18n_patterns(
    path("feeds/news/", include("campaign.news.urls")),
    # The campaign's progress and its embeddable widget (opt in: a site setting).
    path("progres/", include("campaign.response.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
