"""`{% refusal as refused %}`: what the 403 page says of the page refused (accounts.refusals)."""

from typing import Any

from django import template

from bonehealth.accounts.refusals import Refusal, refusal_of

register = template.Library()


@register.simple_tag(takes_context=True)
def refusal(context: Any) -> Refusal:
    return refusal_of(context.get("request"), context.get("exception") or "")
