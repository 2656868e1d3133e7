from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .tunables import views as settings_views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("settings/", settings_views.settings_list, name="settings"),
    path("settings/permissions/", settings_views.permission_table, name="permission_table"),
    path("settings/<slug:name>/", settings_views.settings_edit, name="settings_edit"),
]
