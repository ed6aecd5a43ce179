"""Masking of personal data in templates: {% load personal_data %} {{ order.ship_phone|mask_phone }}."""

from django import template

from oms.orders import personal_data

register = template.Library()

register.filter("mask_phone", personal_data.mask_phone)
register.filter("mask_name", personal_data.mask_name)
register.filter("mask_detail", personal_data.mask_detail)
register.filter("mask_email", personal_data.mask_email)
register.filter("mask_recipient", personal_data.mask_recipient)
register.filter("mask_text", personal_data.mask_text)


@register.filter
def masked_address(order) -> str:
    return personal_data.mask_address(order.ship_province, order.ship_city, order.ship_district, order.ship_detail)
