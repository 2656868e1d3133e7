"""Pages of the import wizard and the export downloads."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.batch_list, name="list"),
    path("imports/new/", views.upload, name="upload"),
    path("imports/<int:pk>/", views.batch_detail, name="batch"),
    path("imports/<int:pk>/mapping/", views.mapping, name="mapping"),
    path("imports/<int:pk>/commit/", views.commit, name="commit"),
    path("imports/<int:pk>/undo/", views.undo, name="undo"),
    path("imports/<int:pk>/progress/", views.progress, name="progress"),
    path("imports/<int:pk>/rejected.csv", views.rejected, name="rejected"),
    path("imports/mappings/<int:pk>/delete/", views.delete_mapping, name="delete_mapping"),
    path("exports/", views.export_page, name="exports"),
    path("exports/all.zip", views.export_all, name="export_all"),
    path("exports/<str:kind>.<str:fmt>", views.export_list, name="export"),
]
