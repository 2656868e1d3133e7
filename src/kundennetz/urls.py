"""The URL map: the web UI per app, the JSON API under /api/, Django's admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from kundennetz.accounts.views import home
from kundennetz.api import api
from kundennetz.core import job_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", home, name="home"),
    path("", include("kundennetz.core.urls")),
    path("", job_views.urls),
    path("", include("kundennetz.accounts.urls")),
    path("", include("kundennetz.qualification.urls")),
    path("", include("kundennetz.portfolio.urls")),
    path("", include("kundennetz.interactions.urls")),
    path("", include("kundennetz.planning.urls")),
    path("", include("kundennetz.imports.urls")),
    path("", include("kundennetz.winloss.urls")),
    path("", include("kundennetz.network.urls")),
]
