from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "oms.orders"
    label = "orders"

    def ready(self) -> None:
        from oms.orders import stock_choice  # noqa: F401  (waiting rests of partial shipments get their stock)
        from oms.orders.review import triggers  # noqa: F401  (subscribes the review to outbox topics)
