"""The sales channels every installation has (created after each migrate if missing)."""

from decimal import Decimal

DEFAULT_CHANNELS = [
    ("web", "官网", "own"),
    ("app", "APP", "own"),
    ("miniapp", "小程序", "own"),
    ("taobao", "淘宝", "marketplace"),
    ("jd", "京东", "marketplace"),
    ("pdd", "拼多多", "marketplace"),
    ("offline", "线下", "offline"),
]

# Starting review settings by kind; operations change them per channel afterwards.
# Marketplaces collect cash on delivery and fund their own coupons; our shops allow COD up to
# a limit and check coupons against our list.
KIND_SETTINGS = {
    "own": {"cod_allowed": True, "cod_limit": Decimal("3000.00"), "platform_funded_discounts": False},
    "marketplace": {"cod_allowed": True, "cod_limit": Decimal("0"), "platform_funded_discounts": True},
    "offline": {"cod_allowed": False, "cod_limit": Decimal("0"), "platform_funded_discounts": False},
}


def ensure_default_channels(sender=None, **kwargs) -> None:
    from oms.channels.models import Channel

    for code, name, kind in DEFAULT_CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, **KIND_SETTINGS[kind]})
