"""Pages of the relationship network: an account's map, its downloads, adding and removing relations."""

from django.urls import path

from . import views

app_name = "network"

urlpatterns = [
    path("accounts/<int:pk>/network/", views.account_map, name="account_map"),
    path("accounts/<int:pk>/network/map.svg", views.account_map_svg, name="account_map_svg"),
    path("accounts/<int:pk>/network/map.png", views.account_map_png, name="account_map_png"),
    path("accounts/<int:pk>/network/relations/", views.relation_create, name="relation_create"),
    path("relations/<int:pk>/delete/", views.relation_delete, name="relation_delete"),
]
