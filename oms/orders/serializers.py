"""API shapes of orders. Money is a two-place decimal string; times carry their offset."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from oms.audit.models import AuditEvent
from oms.orders.models import Order, OrderDiscount, OrderLine
from oms.orders.personal_data import mask_detail, mask_email, mask_name, mask_phone, mask_value_change


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "59.00"})
class MoneyString(serializers.Field):
    def to_representation(self, value):
        return f"{value:.2f}"

    def to_internal_value(self, data):  # documentation-only serializers use this for input
        return data


class Masked(serializers.CharField):
    """Personal data as every API response shows it: masked (the full value: POST …/reveal, audited)."""

    def __init__(self, mask, **kwargs):
        self.mask = mask
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return self.mask(value or "")


class LineSerializer(serializers.ModelSerializer):
    unit_price = MoneyString()
    subtotal = MoneyString()
    sku = serializers.CharField(source="sku_code")
    known_sku = serializers.SerializerMethodField()

    class Meta:
        model = OrderLine
        fields = ["line_no", "sku", "platform_sku", "known_sku", "name", "spec", "quantity", "unit_price", "subtotal"]

    def get_known_sku(self, line) -> bool:
        return line.sku_id is not None


class DiscountSerializer(serializers.ModelSerializer):
    amount = MoneyString()

    class Meta:
        model = OrderDiscount
        fields = ["kind", "code", "amount", "description"]


class EventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="actor_username")
    role = serializers.CharField(source="actor_roles")

    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "action", "user", "role", "at", "changes", "reason", "note", "data"]

    def get_changes(self, event) -> dict:
        # An address change keeps old → new values in the timeline; they are masked like the order's own.
        return {field: mask_value_change(field, pair) for field, pair in (event.changes or {}).items()}


class OrderSummarySerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code")
    payable_amount = MoneyString()
    paid_amount = MoneyString()
    customer_name = Masked(mask_name)
    ship_name = Masked(mask_name)
    ship_phone = Masked(mask_phone)

    class Meta:
        model = Order
        fields = [
            "order_no", "channel", "external_id", "source", "status", "payment_status", "placed_at",
            "customer_name", "ship_name", "ship_phone", "ship_province", "ship_city",
            "payable_amount", "paid_amount", "entry_check", "archived_at",
        ]


class CustomerSerializer(serializers.Serializer):
    name = Masked(mask_name, source="customer_name")
    phone = Masked(mask_phone, source="customer_phone")
    email = Masked(mask_email, source="customer_email", allow_blank=True)


class AddressSerializer(serializers.Serializer):
    name = Masked(mask_name, source="ship_name")
    phone = Masked(mask_phone, source="ship_phone")
    province = serializers.CharField(source="ship_province")
    city = serializers.CharField(source="ship_city")
    district = serializers.CharField(source="ship_district", allow_blank=True)
    detail = Masked(mask_detail, source="ship_detail")
    postcode = serializers.CharField(source="ship_postcode", allow_blank=True)


class PaymentSerializer(serializers.Serializer):
    method = serializers.CharField(source="payment_method")
    status = serializers.CharField(source="payment_status")
    paid_at = serializers.DateTimeField(allow_null=True)
    transaction_id = serializers.CharField(allow_blank=True)


class InvoiceSerializer(serializers.Serializer):
    type = serializers.CharField(source="invoice_type", allow_blank=True)
    title = serializers.SerializerMethodField()
    tax_id = serializers.CharField(source="invoice_tax_id", allow_blank=True)

    def get_title(self, order) -> str:
        # A personal invoice's title is the buyer's name: masked like the name (a company's is not personal data).
        from oms.orders.personal_data import mask_name

        if order.invoice_type == "personal":
            return mask_name(order.invoice_title)
        return order.invoice_title


class AmountsSerializer(serializers.Serializer):
    goods_total = MoneyString()
    shipping_fee = MoneyString()
    discount_total = MoneyString()
    payable_amount = MoneyString()
    paid_amount = MoneyString()


class HoldSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.SerializerMethodField()
    details = serializers.JSONField()
    held_at = serializers.DateTimeField(source="created_at")

    def get_message(self, hold) -> str:
        from oms.orders.review.messages import describe

        return describe(hold.code, hold.details)


class ReservationSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(source="line.line_no")
    sku = serializers.CharField(source="sku.code")
    warehouse = serializers.CharField(source="warehouse.code")
    quantity = serializers.IntegerField()
    status = serializers.CharField()


class PackageLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(source="line.line_no")
    sku = serializers.CharField(source="sku.code")
    quantity = serializers.IntegerField()


class PackageSerializer(serializers.Serializer):
    number = serializers.CharField()
    warehouse = serializers.CharField(source="warehouse.code")
    carrier = serializers.CharField(source="carrier.code", default=None)
    status = serializers.CharField()
    weight_g = serializers.IntegerField()
    freight = MoneyString()
    lines = PackageLineSerializer(many=True)


class OrderDetailSerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code")
    customer = CustomerSerializer(source="*")
    shipping_address = AddressSerializer(source="*")
    amounts = AmountsSerializer(source="*")
    payment = PaymentSerializer(source="*")
    invoice = InvoiceSerializer(source="*")
    lines = LineSerializer(many=True)
    discounts = DiscountSerializer(many=True)
    timeline = EventSerializer(source="events", many=True)
    hold_reasons = HoldSerializer(source="open_holds", many=True, default=list)
    reservations = ReservationSerializer(many=True)
    packages = PackageSerializer(many=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    checked_by = serializers.CharField(source="checked_by.username", default=None)
    refunds = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "order_no", "channel", "external_id", "source", "status", "after_sales_status", "refunds",
            "placed_at", "customer",
            "shipping_address", "lines", "amounts", "discounts", "payment", "buyer_remark", "seller_note",
            "invoice", "cancelled_at", "cancel_reason", "entry_check", "created_by", "checked_by",
            "created_at", "updated_at", "hold_reasons", "reservations", "packages", "timeline",
            "completed_at", "settled_at", "archived_at",
        ]


    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_refunds(self, order) -> list[dict]:
        from oms.payments.refund_selectors import refund_summary, refunds_of_order

        return [refund_summary(r) for r in refunds_of_order(order)]


class IntakeResultSerializer(serializers.Serializer):
    order_no = serializers.CharField()
    status = serializers.CharField()
    created = serializers.BooleanField()
    applied = serializers.ListField(child=serializers.CharField())


# --- request shapes, for the OpenAPI document (validation lives in orders.intake.validation) ---

class IntakeLineIn(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    spec = serializers.CharField(required=False)
    quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.CharField(help_text='Decimal string, e.g. "59.00"')


class IntakeDiscountIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["coupon", "promotion", "manual"])
    code = serializers.CharField(required=False)
    amount = serializers.CharField()
    description = serializers.CharField(required=False)


class IntakeCustomerIn(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.EmailField(required=False)


class IntakeAddressIn(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    province = serializers.CharField(help_text="Required unless `full` is given.")
    city = serializers.CharField(help_text="Required unless `full` is given.")
    district = serializers.CharField(required=False)
    detail = serializers.CharField(help_text="Required unless `full` is given.")
    postcode = serializers.CharField(required=False)
    full = serializers.CharField(
        required=False,
        help_text="The whole address on one line, for channels that send it so (e.g. "
        "\"浙江省杭州市西湖区文三路100号\"); the parts left out are filled from it.",
    )


class IntakePaymentIn(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=["alipay", "wechat", "unionpay", "card", "bank_transfer", "cash", "cod", "platform"]
    )
    status = serializers.ChoiceField(choices=["unpaid", "paid"])
    paid_at = serializers.DateTimeField(required=False)
    transaction_id = serializers.CharField(required=False)


class IntakeInvoiceIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=["personal", "company", "vat_special"])
    title = serializers.CharField()
    tax_id = serializers.CharField(required=False)


class IntakeCancellationIn(serializers.Serializer):
    reason = serializers.CharField(required=False)
    cancelled_at = serializers.DateTimeField(required=False)


class OrderIntakeIn(serializers.Serializer):
    channel = serializers.CharField()
    external_id = serializers.CharField()
    placed_at = serializers.DateTimeField()
    customer = IntakeCustomerIn()
    shipping_address = IntakeAddressIn()
    lines = IntakeLineIn(many=True)
    shipping_fee = serializers.CharField(required=False)
    discounts = IntakeDiscountIn(many=True, required=False)
    paid_amount = serializers.CharField(required=False)
    payment = IntakePaymentIn()
    buyer_remark = serializers.CharField(required=False)
    seller_note = serializers.CharField(required=False)
    invoice = IntakeInvoiceIn(required=False)
    cancellation = IntakeCancellationIn(required=False, help_text="Set when the buyer cancelled on the platform.")


class DraftIn(OrderIntakeIn):
    external_id = serializers.CharField(required=False)
    placed_at = serializers.DateTimeField(required=False)


class CommentIn(serializers.Serializer):
    comment = serializers.CharField()


class NoteIn(serializers.Serializer):
    note = serializers.CharField(required=False)
