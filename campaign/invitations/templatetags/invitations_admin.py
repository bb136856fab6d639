from django import template

from ..merge import MERGE_FIELDS

register = template.Library()


@register.simple_tag
def merge_fields():
    return list(MERGE_FIELDS.items())
