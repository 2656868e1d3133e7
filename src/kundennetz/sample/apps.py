from django.apps import AppConfig


class SampleConfig(AppConfig):
    """No models of its own: the app is installed for its management commands."""

    name = "kundennetz.sample"
    label = "sample"
