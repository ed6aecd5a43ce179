"""Default buyer-message templates: three events × SMS, email, push × Simplified Chinese, English.

The texts are data: administrators edit them in the back office afterwards. Running the
migration again (or on a database that already has a template) leaves existing rows alone.
"""

from django.db import migrations

ITEMS_ZH = (
    "{% for item in items %}  - {{ item.name }}{% if item.spec %}（{{ item.spec }}）{% endif %} × {{ item.quantity }}\n"
    "{% endfor %}"
)
ITEMS_EN = (
    "{% for item in items %}  - {{ item.name }}{% if item.spec %} ({{ item.spec }}){% endif %} × {{ item.quantity }}\n"
    "{% endfor %}"
)

# (event, medium, language): (subject, body)
DEFAULTS = {
    # --- order confirmed (after review approves the order) ---
    ("order_confirmed", "sms", "zh-hans"): (
        "",
        "{{ recipient_name }}您好，您在{{ channel_name }}的订单{{ order_no }}已确认：{{ item_summary }}，"
        "应付¥{{ payable_amount }}。我们将尽快为您发货。",
    ),
    ("order_confirmed", "sms", "en"): (
        "",
        "Hello {{ recipient_name }}, your {{ channel_name }} order {{ order_no }} is confirmed: {{ item_summary }}, "
        "total ¥{{ payable_amount }}. We will ship it soon.",
    ),
    ("order_confirmed", "email", "zh-hans"): (
        "您的订单{{ order_no }}已确认",
        "{{ recipient_name }}，您好：\n\n"
        "感谢您在{{ channel_name }}下单。您的订单已确认，我们将尽快为您安排发货。\n\n"
        "订单号：{{ order_no }}\n"
        "下单时间：{{ placed_at }}\n"
        "商品：\n" + ITEMS_ZH + "应付金额：¥{{ payable_amount }}\n\n"
        "如有疑问，请联系客服并提供订单号。\n",
    ),
    ("order_confirmed", "email", "en"): (
        "Your order {{ order_no }} is confirmed",
        "Hello {{ recipient_name }},\n\n"
        "Thank you for your order on {{ channel_name }}. It is confirmed and we are preparing it for shipment.\n\n"
        "Order number: {{ order_no }}\n"
        "Placed at: {{ placed_at }}\n"
        "Items:\n" + ITEMS_EN + "Amount payable: ¥{{ payable_amount }}\n\n"
        "If you have any questions, contact our customer service with your order number.\n",
    ),
    ("order_confirmed", "push", "zh-hans"): (
        "订单已确认",
        "您的订单{{ order_no }}已确认，共{{ item_count }}件商品，应付¥{{ payable_amount }}，我们将尽快发货。",
    ),
    ("order_confirmed", "push", "en"): (
        "Order confirmed",
        "Your order {{ order_no }} ({{ item_count }} item{{ item_count|pluralize }}, ¥{{ payable_amount }}) "
        "is confirmed and will ship soon.",
    ),
    # --- order shipped ---
    ("order_shipped", "sms", "zh-hans"): (
        "",
        "{{ recipient_name }}您好，您的订单{{ order_no }}已发货，{{ carrier_name }}运单号{{ tracking_no }}，请注意查收。",
    ),
    ("order_shipped", "sms", "en"): (
        "",
        "Hello {{ recipient_name }}, your order {{ order_no }} has shipped with {{ carrier_name }}, "
        "tracking number {{ tracking_no }}.",
    ),
    ("order_shipped", "email", "zh-hans"): (
        "您的订单{{ order_no }}已发货",
        "{{ recipient_name }}，您好：\n\n"
        "您在{{ channel_name }}的订单{{ order_no }}已发货。\n\n"
        "快递公司：{{ carrier_name }}\n"
        "运单号：{{ tracking_no }}\n"
        "商品：\n" + ITEMS_ZH + "\n"
        "请留意快递员的电话，签收前请检查包裹是否完好。\n",
    ),
    ("order_shipped", "email", "en"): (
        "Your order {{ order_no }} has shipped",
        "Hello {{ recipient_name }},\n\n"
        "Your {{ channel_name }} order {{ order_no }} is on its way.\n\n"
        "Carrier: {{ carrier_name }}\n"
        "Tracking number: {{ tracking_no }}\n"
        "Items:\n" + ITEMS_EN + "\n"
        "Please check that the parcel is intact before you sign for it.\n",
    ),
    ("order_shipped", "push", "zh-hans"): (
        "订单已发货",
        "您的订单{{ order_no }}已发货，{{ carrier_name }}运单号{{ tracking_no }}。",
    ),
    ("order_shipped", "push", "en"): (
        "Order shipped",
        "Your order {{ order_no }} has shipped with {{ carrier_name }}, tracking number {{ tracking_no }}.",
    ),
    # --- refund issued ---
    ("refund_issued", "sms", "zh-hans"): (
        "",
        "{{ recipient_name }}您好，您的订单{{ order_no }}退款¥{{ refund_amount }}已按原支付方式退回，"
        "预计1-7个工作日到账，请注意查收。",
    ),
    ("refund_issued", "sms", "en"): (
        "",
        "Hello {{ recipient_name }}, a refund of ¥{{ refund_amount }} for order {{ order_no }} has been issued "
        "to your original payment method. It usually arrives within 1-7 working days.",
    ),
    ("refund_issued", "email", "zh-hans"): (
        "订单{{ order_no }}退款已发起",
        "{{ recipient_name }}，您好：\n\n"
        "您的订单{{ order_no }}的退款已按原支付方式退回。\n\n"
        "退款金额：¥{{ refund_amount }}\n"
        "到账时间：预计1-7个工作日，具体以支付平台为准。\n\n"
        "如有疑问，请联系客服并提供订单号。\n",
    ),
    ("refund_issued", "email", "en"): (
        "Refund for order {{ order_no }}",
        "Hello {{ recipient_name }},\n\n"
        "A refund for your order {{ order_no }} has been issued to your original payment method.\n\n"
        "Refund amount: ¥{{ refund_amount }}\n"
        "It usually arrives within 1-7 working days, depending on your payment provider.\n\n"
        "If you have any questions, contact our customer service with your order number.\n",
    ),
    ("refund_issued", "push", "zh-hans"): (
        "退款已发起",
        "您的订单{{ order_no }}退款¥{{ refund_amount }}已按原支付方式退回，预计1-7个工作日到账。",
    ),
    ("refund_issued", "push", "en"): (
        "Refund issued",
        "A refund of ¥{{ refund_amount }} for order {{ order_no }} is on its way to your original payment method.",
    ),
}


def create_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (event, medium, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.get_or_create(
            event=event, medium=medium, language=language, defaults={"subject": subject, "body": body},
        )


def remove_untouched_defaults(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (event, medium, language), (subject, body) in DEFAULTS.items():
        MessageTemplate.objects.filter(
            event=event, medium=medium, language=language, subject=subject, body=body,
        ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_buyer_messages"),
    ]

    operations = [
        migrations.RunPython(create_defaults, remove_untouched_defaults),
    ]
