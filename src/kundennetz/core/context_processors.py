"""Values every page's layout needs."""

from django.conf import settings

from .permissions import can_create, can_manage_trash, may_edit_settings


def kundennetz(request):
    user = getattr(request, "user", None)
    return {
        "company_name": settings.KUNDENNETZ_COMPANY_NAME,
        "user_can_create": can_create(user),
        "user_can_manage_trash": can_manage_trash(user),
        "user_can_edit_settings": may_edit_settings(user),
    }
