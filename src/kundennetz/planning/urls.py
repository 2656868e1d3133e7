"""Web pages of planning: the planning page, capacities, budgets, scenarios, comparison, exports, estimates."""

from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("planning/", views.planning, name="planning"),
    path("planning/capacity.csv", views.plan_export, name="plan_export"),
    path("planning/model/", views.about, name="about"),
    path("planning/capacities/new/", views.capacity_edit, name="capacity_create"),
    path("planning/capacities/<int:pk>/", views.capacity_edit, name="capacity_edit"),
    path("planning/capacities/<int:pk>/delete/", views.capacity_delete, name="capacity_delete"),
    path("planning/budgets/<str:code>/", views.budget_edit, name="budget_edit"),
    path("planning/scenarios/new/", views.scenario_create, name="scenario_create"),
    path("planning/people/choices/", views.people_choices, name="people_choices"),
    path("planning/scenarios/compare/", views.compare, name="compare"),
    path("planning/scenarios/<int:pk>/", views.scenario_detail, name="scenario"),
    path("planning/scenarios/<int:pk>/compute/", views.scenario_compute, name="scenario_compute"),
    path("planning/scenarios/<int:pk>/apply/", views.scenario_apply, name="scenario_apply"),
    path("planning/scenarios/<int:pk>/delete/", views.scenario_delete, name="scenario_delete"),
    path("planning/scenarios/<int:pk>/export.csv", views.scenario_export, name="scenario_export"),
    path("planning/accounts/<int:pk>/estimates/", views.estimates, name="estimates"),
]
