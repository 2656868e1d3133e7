"""Web pages of interactions, consistency, my week, the management view and the core messages."""

from django.urls import path

from . import views, views_messages, views_reports

app_name = "interactions"

urlpatterns = [
    path("interactions/", views.interaction_list, name="list"),
    path("interactions/new/", views.interaction_create, name="create"),
    path("interactions/<int:pk>/", views.interaction_detail, name="detail"),
    path("interactions/<int:pk>/edit/", views.interaction_update, name="update"),
    path("interactions/<int:pk>/delete/", views.interaction_delete, name="delete"),
    path("interactions/consistency/", views.about, name="about"),
    path("accounts/<int:pk>/consistency/", views.account_panel, name="account_panel"),
    path("accounts/<int:pk>/interactions/log/", views.account_log, name="account_log"),
    path("my-week/", views_reports.my_week, name="my_week"),
    path("management/consistency/", views_reports.management, name="management"),
    path("management/consistency/export.csv", views_reports.management_export, name="management_export"),
    path("management/consistency/refresh/", views_reports.management_refresh, name="management_refresh"),
    path("core-messages/", views_messages.message_list, name="message_list"),
    path("core-messages/new/", views_messages.message_edit, name="message_create"),
    path("core-messages/<int:pk>/edit/", views_messages.message_edit, name="message_update"),
    path("core-messages/<int:pk>/retire/", views_messages.message_retire, name="message_retire"),
]
