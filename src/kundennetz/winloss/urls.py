from django.urls import path

from . import views

app_name = "winloss"

urlpatterns = [
    path("win-loss/", views.overview, name="overview"),
    path("win-loss/fit/", views.fit, name="fit"),
    path("win-loss/bid-cost/", views.bid_cost, name="bid_cost"),
    path("win-loss/no-bid/", views.no_bid, name="no_bid"),
    path("win-loss/no-bid/<int:pk>/", views.declined_outcome, name="declined_outcome"),
]
