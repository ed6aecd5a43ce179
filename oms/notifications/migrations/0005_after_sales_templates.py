"""Default templates of the after-sales events: cancellation, approved return, rejected request.

Like 0003, the texts are data that administrators edit afterwards; existing rows are left alone.
"""

from django.db import migrations

DEFAULTS = {
    # --- order cancelled (by the buyer, the merchant or the unpaid timeout) ---
    ("order_cancelled", "sms", "zh-hans"): (
        "",
        "{{ recipient_name }}您好，您的订单{{ order_no }}已取消，原因：{{ cancel_reason }}。"
        "如已付款，退款将按原支付方式退回。",
    ),
    ("order_cancelled", "sms", "en"): (
        "",
        "Hello {{ recipient_name }}, your order {{ order_no }} has been cancelled: {{ cancel_reason }}. "
        "Any payment will be refunded to your original payment method.",
    ),
    ("order_cancelled", "email", "zh-hans"): (
        "订单{{ order_no }}已取消",
        "{{ recipient_name }}，您好：\n\n您的订单{{ order_no }}已取消。\n\n取消原因：{{ cancel_reason }}\n\n"
        "如您已付款，退款将按原支付方式退回，退款发出后我们会另行通知您。\n",
    ),
    ("order_cancelled", "email", "en"): (
        "Order {{ order_no }} cancelled",
        "Hello {{ recipient_name }},\n\nYour order {{ order_no }} has been cancelled.\n\n"
        "Reason: {{ cancel_reason }}\n\n"
        "If you have paid, the money will go back to your original payment method; we will tell you when "
        "the refund is issued.\n",
    ),
    ("order_cancelled", "push", "zh-hans"): ("订单已取消", "您的订单{{ order_no }}已取消：{{ cancel_reason }}。"),
    ("order_cancelled", "push", "en"): ("Order cancelled",
                                        "Your order {{ order_no }} has been cancelled: {{ cancel_reason }}."),
    # --- after-sales request approved: where to send the goods ---
    ("return_approved", "sms", "zh-hans"): (
        "",
        "{{ recipient_name }}您好，您的售后申请{{ request_no }}已通过。请将商品寄回：{{ return_address }}，"
        "并在包裹上注明售后单号{{ request_no }}。",
    ),
    ("return_approved", "sms", "en"): (
        "",
        "Hello {{ recipient_name }}, your after-sales request {{ request_no }} is approved. Please send the goods "
        "to: {{ return_address }}, and write {{ request_no }} on the parcel.",
    ),
    ("return_approved", "email", "zh-hans"): (
        "售后申请{{ request_no }}已通过",
        "{{ recipient_name }}，您好：\n\n您的订单{{ order_no }}的售后申请{{ request_no }}已审核通过。\n\n"
        "请将商品寄回：\n{{ return_address }}\n\n请在包裹上写明售后单号{{ request_no }}，以便仓库尽快验收。\n",
    ),
    ("return_approved", "email", "en"): (
        "After-sales request {{ request_no }} approved",
        "Hello {{ recipient_name }},\n\nYour after-sales request {{ request_no }} for order {{ order_no }} "
        "is approved.\n\nPlease send the goods to:\n{{ return_address }}\n\n"
        "Write {{ request_no }} on the parcel so that the warehouse can match it quickly.\n",
    ),
    ("return_approved", "push", "zh-hans"): (
        "售后申请已通过", "售后申请{{ request_no }}已通过，请寄回：{{ return_address }}，包裹上注明{{ request_no }}。"),
    ("return_approved", "push", "en"): (
        "After-sales request approved",
        "Request {{ request_no }} is approved. Send the goods to {{ return_address }}, marked {{ request_no }}."),
    # --- after-sales request rejected ---
    ("after_sales_rejected", "sms", "zh-hans"): (
        "", "{{ recipient_name }}您好，您的售后申请{{ request_no }}未通过，原因：{{ reject_reason }}。如有疑问请联系客服。"),
    ("after_sales_rejected", "sms", "en"): (
        "", "Hello {{ recipient_name }}, your after-sales request {{ request_no }} was not approved: "
            "{{ reject_reason }}. Contact customer service with any questions."),
    ("after_sales_rejected", "email", "zh-hans"): (
        "售后申请{{ request_no }}未通过",
        "{{ recipient_name }}，您好：\n\n您的订单{{ order_no }}的售后申请{{ request_no }}未通过审核。\n\n"
        "原因：{{ reject_reason }}\n\n如有疑问，请联系客服并提供售后单号。\n",
    ),
    ("after_sales_rejected", "email", "en"): (
        "After-sales request {{ request_no }} not approved",
        "Hello {{ recipient_name }},\n\nYour after-sales request {{ request_no }} for order {{ order_no }} "
        "was not approved.\n\nReason: {{ reject_reason }}\n\n"
        "If you have any questions, contact customer service with the request number.\n",
    ),
    ("after_sales_rejected", "push", "zh-hans"): ("售后申请未通过", "售后申请{{ request_no }}未通过：{{ reject_reason }}。"),
    ("after_sales_rejected", "push", "en"): ("After-sales request not approved",
                                             "Request {{ request_no }} was not approved: {{ reject_reason }}."),
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
    dependencies = [("notifications", "0004_after_sales_events")]

    operations = [migrations.RunPython(create_defaults, remove_untouched_defaults)]
