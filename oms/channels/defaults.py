"""The sales channels every installation has (created after each migrate if missing)."""

DEFAULT_CHANNELS = [
    ("web", "官网", "own"),
    ("app", "APP", "own"),
    ("miniapp", "小程序", "own"),
    ("taobao", "淘宝", "marketplace"),
    ("jd", "京东", "marketplace"),
    ("pdd", "拼多多", "marketplace"),
    ("offline", "线下", "offline"),
]


def ensure_default_channels(sender=None, **kwargs) -> None:
    from oms.channels.models import Channel

    for code, name, kind in DEFAULT_CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
