"""Web pages of qualification: an opportunity's checklist, its pursuit decision and the bid/no-bid sheet."""

from django.urls import path

from . import views, views_sheet

app_name = "qualification"

urlpatterns = [
    path("opportunities/<int:pk>/checklist/", views.checklist, name="checklist"),
    path("opportunities/<int:pk>/checklist/answer/", views.answer, name="answer"),
    path("opportunities/<int:pk>/checklist/contact/", views.add_contact, name="add_contact"),
    path("opportunities/<int:pk>/checklist/decision/", views.decide, name="decide"),
    path("opportunities/<int:pk>/bid-sheet/", views_sheet.sheet, name="sheet"),
    path("opportunities/<int:pk>/bid-sheet.pdf", views_sheet.sheet_pdf, name="sheet_pdf"),
]
