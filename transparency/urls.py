from django.urls import path

from .views import ledger

app_name = "transparency"

urlpatterns = [
    path("campaigns/<slug:slug>/ledger/", ledger.ledger, name="ledger"),
    path("campaigns/<slug:slug>/ledger.csv", ledger.ledger_csv, name="ledger_csv"),
    path("campaigns/<slug:slug>/ledger.json", ledger.ledger_json, name="ledger_json"),
]
