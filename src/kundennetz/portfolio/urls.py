"""Web pages of the portfolio: picture, table, scoring model, snapshots, overrides, ratings, value propositions."""

from django.urls import path

from . import views

app_name = "portfolio"

urlpatterns = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("portfolio/portfolio.svg", views.portfolio_svg, name="svg"),
    path("portfolio/accounts/", views.position_table, name="table"),
    path("portfolio/accounts/<int:pk>/override/", views.override, name="override"),
    path("portfolio/accounts/<int:pk>/ratings/", views.ratings, name="ratings"),
    path("portfolio/model/", views.model_page, name="model"),
    path("portfolio/model/v<int:version>/", views.model_page, name="model_version"),
    path("portfolio/model/edit/", views.model_edit, name="model_edit"),
    path("portfolio/snapshots/", views.snapshots, name="snapshots"),
    path("portfolio/value-propositions/", views.value_propositions, name="value_propositions"),
    path("portfolio/value-propositions/new/", views.value_proposition_edit, name="value_proposition_create"),
    path("portfolio/value-propositions/<int:pk>/edit/", views.value_proposition_edit, name="value_proposition_edit"),
    path("portfolio/value-propositions/<int:pk>/delete/", views.value_proposition_delete,
         name="value_proposition_delete"),
]
