"""{% form_token %}: a hidden field unique to each rendered form, so that submitting it twice saves once."""

from django import template
from django.utils.html import format_html

from ..idempotency import FORM_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, new_form_token())
