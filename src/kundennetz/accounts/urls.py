"""Web pages of accounts, contacts, opportunities and the trash."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/choices/", views.account_choices, name="account_choices"),
    path("contacts/choices/", views.contact_choices, name="contact_choices"),
    path("owners/choices/", views.owner_choices, name="owner_choices"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views.account_update, name="account_update"),
    path("accounts/<int:pk>/delete/", views.account_delete, name="account_delete"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("opportunities/<int:pk>/edit/", views.opportunity_update, name="opportunity_update"),
    path("opportunities/<int:pk>/stage/", views.opportunity_stage, name="opportunity_stage"),
    path("opportunities/<int:pk>/delete/", views.opportunity_delete, name="opportunity_delete"),
    path("trash/", views.trash, name="trash"),
    path("trash/<str:kind>/<int:pk>/restore/", views.restore, name="restore"),
    path("trash/<str:kind>/restore/", views.restore_many, name="restore_many"),
]
