"""The JSON API (django-ninja): one NinjaAPI, each app contributing a router. Docs at /api/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="Kundennetz API", version="1", urls_namespace="api")
