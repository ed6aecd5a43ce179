"""Demo data for trying the system: accounts per role, SKUs and orders in every status so far.

Loading is idempotent: accounts, SKUs and orders (by channel and external id) are
created only when missing. Everything goes through the same actions users call.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.accounts.models import User
from oms.accounts.roles import (
    ADMIN,
    CUSTOMER_SERVICE,
    FINANCE,
    INTEGRATION,
    LOGISTICS,
    OPERATIONS,
    WAREHOUSE,
)
from oms.accounts.services import create_user, token_for
from oms.channels.models import Channel, ChannelSkuMapping
from oms.channels.selectors import channel_lookup
from oms.fulfillment.models import BoxType
from oms.inventory.models import Bin, Sku, SkuLocation, StockLevel, Warehouse
from oms.inventory.services import receive_stock
from oms.notifications.outbox import deliver_pending
from oms.orders.entry import confirm_entry, enter_order, return_entry
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.review.corrections import acknowledge_remark
from oms.orders.review.models import BlockKind, BlockListEntry, Coupon
from oms.orders.status import OrderStatus
from oms.shipping.models import Carrier, CarrierRule, RateCard, RateZone

DEMO_USERS = [
    ("cs", CUSTOMER_SERVICE), ("cs2", CUSTOMER_SERVICE), ("warehouse", WAREHOUSE), ("logistics", LOGISTICS),
    ("finance", FINANCE), ("ops", OPERATIONS), ("admin", ADMIN), ("shop", INTEGRATION),
]


def demo_password(username: str) -> str:
    return f"demo-{username}-2026"


COLOURS = {"红色": "RED", "白色": "WHITE", "黑色": "BLACK", "灰色": "GREY", "藏青": "NAVY", "浅蓝": "LBLUE",
           "深蓝": "DBLUE", "明前": "MQ", "混色": "MIX"}
PRODUCTS = [
    ("TSHIRT", "纯棉T恤", ["红色", "白色", "黑色"], ["S", "M", "L"], "59.00", 180),
    ("HOODIE", "加绒连帽卫衣", ["灰色", "藏青"], ["M", "L", "XL"], "169.00", 620),
    ("JEANS", "直筒牛仔裤", ["浅蓝", "深蓝"], ["29", "31"], "199.00", 700),
    ("MUG", "陶瓷马克杯", ["白色"], ["350ml"], "39.90", 400),
    ("TEA", "西湖龙井礼盒", ["明前"], ["250g"], "368.00", 600),
    ("SOCKS", "精梳棉袜五双装", ["混色"], ["均码"], "29.90", 150),
    ("CABLE", "Type-C 快充数据线", ["白色"], ["1m", "2m"], "25.00", 60),
]
SIZES = {"均码": "FREE"}
ADDRESSES = [
    ("浙江省", "杭州市", "西湖区", "文三路100号华星大厦1201室", "310012"),
    ("浙江省", "宁波市", "鄞州区", "天童南路588号", "315100"),
    ("上海市", "上海市", "浦东新区", "张江路88弄5号601室", "201203"),
    ("北京市", "北京市", "朝阳区", "建国路93号万达广场8号楼", "100022"),
    ("广东省", "深圳市", "南山区", "科技园南区高新南七道18号", "518057"),
    ("广东省", "广州市", "天河区", "天河路385号太古汇二座", "510620"),
    ("江苏省", "南京市", "鼓楼区", "中山北路30号", "210008"),
    ("江苏省", "苏州市", "工业园区", "星湖街328号创意产业园", "215123"),
    ("四川省", "成都市", "武侯区", "人民南路四段12号", "610041"),
    ("湖北省", "武汉市", "洪山区", "珞喻路1037号", "430074"),
    ("广东省", "东莞市", "", "南城街道鸿福路200号", "523000"),
    ("海南省", "儋州市", "", "那大镇中兴大街58号", "571700"),
    ("重庆市", "重庆市", "渝中区", "解放碑民族路188号", "400010"),
    ("陕西省", "西安市", "雁塔区", "小寨东路126号", "710061"),
]
MOBILE_PREFIXES = ["130", "131", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159",
                   "177", "180", "181", "186", "187", "188", "189", "199"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 秀英 晓东 子涵".split()
REMARKS = ["", "", "", "", "周末送货", "请放快递柜", "送人的，不要放价格单", "尽快发货，谢谢", "麻烦加急，周五前要"]
WAREHOUSES = [
    # code, name, province, city, priority, provinces served (empty: the whole country)
    ("hz", "杭州主仓", "浙江省", "杭州市", 20, []),
    ("gz", "广州仓", "广东省", "广州市", 10, ["广东省", "广西壮族自治区", "海南省", "福建省"]),
    ("bj", "北京仓", "北京市", "北京市", 10, ["北京市", "天津市", "河北省"]),
]
SCARCE = {"TEA": 6}  # product code -> units in the main warehouse; the rest have plenty
BLOCKED_PHONE = "13900001111"
PAY_METHODS = {
    "taobao": "alipay", "jd": "wechat", "pdd": "wechat", "web": "alipay", "app": "wechat", "miniapp": "wechat",
}


def _skus() -> list[Sku]:
    skus = []
    for code, name, colours, sizes, price, weight in PRODUCTS:
        for colour in colours:
            for size in sizes:
                sku_code = f"{code}-{COLOURS[colour]}-{SIZES.get(size, size)}".upper()
                sku, _ = Sku.objects.get_or_create(
                    code=sku_code, defaults={"name": name, "spec": f"{colour}/{size}", "weight_g": weight},
                )
                sku.demo_price = Decimal(price)
                skus.append(sku)
    return skus


def _payload(rng: random.Random, n: int, channel: str, skus: list[Sku], now, *, paid: bool, cancelled: bool) -> dict:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
    if n % 41 == 0:
        phone = BLOCKED_PHONE
    elif n % 29 == 0:
        phone = phone[:7]  # a number the buyer mistyped
    province, city, district, detail, postcode = rng.choice(ADDRESSES)
    lines = []
    for sku in rng.sample(skus, rng.randint(1, 3)):
        code = f"{channel.upper()}-{sku.code}" if channel in ("taobao", "jd") else sku.code
        lines.append({"sku": code, "name": sku.name, "spec": sku.spec, "quantity": rng.randint(1, 3),
                      "unit_price": f"{sku.demo_price:.2f}"})
    if n % 37 == 0:
        lines[0]["sku"] = f"UNKNOWN-SKU-{n}"
    goods = sum(Decimal(ln["unit_price"]) * ln["quantity"] for ln in lines)
    shipping = Decimal("0.00") if goods >= 99 else Decimal("10.00")
    discounts = [{"kind": "coupon", "code": "NEW10", "amount": "10.00"}] if goods > 100 and n % 3 == 0 else []
    payable = goods + shipping - sum((Decimal(d["amount"]) for d in discounts), Decimal(0))
    placed = now - timedelta(minutes=rng.randint(5, 60 * 24 * 14))
    cod = channel == "web" and n % 11 == 0
    payload = {
        "channel": channel, "external_id": f"DEMO-{channel.upper()}-{n:05d}",
        "placed_at": placed.isoformat(),
        "customer": {"name": name, "phone": phone},
        "shipping_address": {"name": name, "phone": phone, "province": province, "city": city,
                             "district": district, "detail": detail, "postcode": postcode},
        "lines": lines, "shipping_fee": f"{shipping:.2f}", "discounts": discounts,
        "paid_amount": f"{payable:.2f}" if paid and not cod else "0.00",
        "payment": {
            "method": "cod" if cod else PAY_METHODS[channel],
            "status": "paid" if paid and not cod else "unpaid",
        },
        "buyer_remark": rng.choice(REMARKS),
    }
    if paid and not cod:
        payload["payment"]["paid_at"] = (placed + timedelta(minutes=1)).isoformat()
        payload["payment"]["transaction_id"] = f"{placed:%Y%m%d}{rng.randrange(10**10):010d}"
    if n % 9 == 0:
        payload["invoice"] = {"type": "personal", "title": name}
    if cancelled:
        payload["cancellation"] = {"reason": "买家取消", "cancelled_at": (placed + timedelta(minutes=30)).isoformat()}
    return payload


def _users() -> dict[str, User]:
    users = {}
    for username, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            # Seeded demo accounts with published passwords: not forced to change them, so a demo starts at once.
            user = create_user(username=username, role=role, password=demo_password(username),
                               must_change_password=False)
        users[username] = user
    token_for(username="shop")
    return users


@transaction.atomic
def _mappings(skus: list[Sku]) -> None:
    for channel in Channel.objects.filter(code__in=["taobao", "jd"]):
        for sku in skus:
            ChannelSkuMapping.objects.get_or_create(
                channel=channel, platform_sku=f"{channel.code.upper()}-{sku.code}", defaults={"sku": sku}
            )


def _stock(skus: list[Sku], users: dict[str, User]) -> None:
    """Warehouses with stock (a few products scarce), the web shop's coupon and a blocked phone."""
    keeper = Actor.of(users["warehouse"])
    for code, name, province, city, priority, served in WAREHOUSES:
        Warehouse.objects.get_or_create(code=code, defaults={
            "name": name, "province": province, "city": city, "priority": priority, "service_provinces": served})
    for sku in skus:
        product = sku.code.split("-")[0]
        for warehouse, quantity in (("hz", SCARCE.get(product, 200)), ("gz", 0 if product in SCARCE else 60),
                                    ("bj", 0 if product in SCARCE else 40)):
            if quantity and not StockLevel.objects.filter(sku=sku, warehouse__code=warehouse).exists():
                receive_stock(sku_code=sku.code, warehouse_code=warehouse, quantity=quantity, actor=keeper,
                              reference="DEMO-期初")
        if product in SCARCE and not sku.low_stock_threshold:
            Sku.objects.filter(pk=sku.pk).update(low_stock_threshold=5)
    Coupon.objects.get_or_create(code="NEW10", defaults={
        "name": "新人立减10元", "amount": Decimal("10.00"), "min_spend": Decimal("99.00"), "max_uses": 1000})
    BlockListEntry.objects.get_or_create(kind=BlockKind.PHONE, value=BLOCKED_PHONE,
                                         defaults={"reason": "多次恶意拒收"})


CARRIERS = [
    # code, name, service level, cash on delivery, tracking number pattern
    ("sf", "顺丰速运", "express", True, r"^(SF)?\d{12}$"),
    ("zto", "中通快递", "standard", False, r"^7\d{11,14}$"),
    ("yto", "圆通速递", "standard", False, r"^YT\d{13}$"),
    ("sto", "申通快递", "standard", False, r"^(77|88)\d{11}$"),
    ("yunda", "韵达速递", "economy", False, r"^\d{13,15}$"),
    ("jd", "京东物流", "express", True, r"^JD[0-9A-Z]{13,15}$"),
    ("ems", "中国邮政EMS", "standard", True, r"^([A-Z]{2}\d{9}CN|\d{11,13})$"),
]
# carrier: insurance rate ‰ of the declared value, minimum fee, highest insurable value
INSURANCE = {"sf": ("5", "1.00", "30000.00"), "ems": ("3", "2.00", "10000.00"), "zto": ("3", "1.00", "2000.00")}
RUSH_RULE = {"name": "加急", "position": 10, "remark_keywords": ["加急"], "max_promise_days": 1}
ALL_PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区",
]
REMOTE = ["西藏自治区", "新疆维吾尔自治区", "青海省", "内蒙古自治区"]
NEARBY = {
    "hz": ["上海市", "江苏省", "安徽省", "福建省", "江西省"],
    "gz": ["广西壮族自治区", "海南省", "福建省", "湖南省", "江西省"],
    "bj": ["天津市", "河北省", "山西省", "山东省", "辽宁省"],
}
# carrier: (first kg in province, nearby, country, remote), per extra kg the same; remote not served by ZTO.
TARIFFS = {
    "zto": (("5.00", "1.00"), ("7.00", "2.00"), ("10.00", "5.00"), None),
    "sf": (("12.00", "2.00"), ("14.00", "4.00"), ("20.00", "8.00"), ("28.00", "16.00")),
    "ems": (("8.00", "2.00"), ("10.00", "3.00"), ("14.00", "6.00"), ("20.00", "12.00")),
}
SOUTH_ONLY = ("LYCHEE-FZX-2.5KG", "妃子笑荔枝", "鲜果/2.5kg", 2800)  # fresh fruit, shipped from Guangzhou only


def _carriers() -> None:
    """Seven carriers; ZTO, SF and EMS contracts from every warehouse, priced by distance."""
    for code, name, level, cod, pattern in CARRIERS:
        Carrier.objects.get_or_create(code=code, defaults={
            "name": name, "service_level": level, "supports_cod": cod, "tracking_number_pattern": pattern})
    for warehouse in Warehouse.objects.filter(code__in=NEARBY):
        near = NEARBY[warehouse.code]
        country = [p for p in ALL_PROVINCES if p not in near and p not in REMOTE and p != warehouse.province]
        for carrier_code, (own, nearby, rest, remote) in TARIFFS.items():
            card, created = RateCard.objects.get_or_create(
                carrier=Carrier.objects.get(code=carrier_code), warehouse=warehouse,
                defaults={"volumetric_divisor": 6000 if carrier_code == "sf" else 8000,
                          **dict(zip(("insurance_rate_permille", "insurance_min_fee", "insurance_max_value"),
                                     map(Decimal, INSURANCE[carrier_code]), strict=True))})
            if not created:
                continue
            zones = [("同省", [warehouse.province], own, 1), ("邻近省份", near, nearby, 2), ("全国", country, rest, 3),
                     ("偏远地区", REMOTE, remote, 6)]
            for name, provinces, prices, days in zones:
                RateZone.objects.create(
                    rate_card=card, name=name, provinces=provinces, served=prices is not None,
                    first_price=Decimal(prices[0]) if prices else 0, step_price=Decimal(prices[1]) if prices else 0,
                    promise_days=days - 1 if carrier_code == "sf" and days > 1 else days)
    if not CarrierRule.objects.filter(name=RUSH_RULE["name"]).exists():
        CarrierRule.objects.create(**RUSH_RULE)


def _pick_faces() -> None:
    """A bin for every SKU in every demo warehouse (Hangzhou has two blocks of 20 bays per aisle)."""
    Warehouse.objects.filter(code="hz").update(blocks=2, bays_per_block=20)
    skus = list(Sku.objects.order_by("code"))
    for warehouse in Warehouse.objects.filter(code__in=NEARBY):
        if SkuLocation.objects.filter(warehouse=warehouse).exists():
            continue
        for i, sku in enumerate(skus):
            aisle, bay = i // 6 + 1, (i % 6) * 6 + 3
            bin_, _ = Bin.objects.get_or_create(warehouse=warehouse, code=f"A{aisle:02d}-{bay:02d}-1",
                                                defaults={"aisle": aisle, "bay": bay, "level": 1})
            SkuLocation.objects.create(sku=sku, warehouse=warehouse, bin=bin_)


BOXES = [
    # code, name, inside length × width × height (mm), load limit (g), own weight (g), cost
    ("bag-m", "中号快递袋", 300, 250, 30, 2000, 15, "0.30"),
    ("bag-l", "大号快递袋", 450, 350, 40, 3000, 25, "0.50"),
    ("box-3", "3号纸箱", 250, 150, 100, 5000, 120, "1.20"),
    ("box-5", "5号纸箱", 350, 250, 150, 10000, 200, "1.80"),
    ("box-8", "8号纸箱", 530, 290, 370, 20000, 450, "3.50"),
]


def _boxes() -> None:
    for code, name, length, width, height, load, tare, cost in BOXES:
        BoxType.objects.get_or_create(code=code, defaults={
            "name": name, "inner_length_mm": length, "inner_width_mm": width, "inner_height_mm": height,
            "max_weight_g": load, "tare_g": tare, "cost": Decimal(cost)})


def _split_order(shop: Actor, now) -> int:
    """A Shenzhen order for tea (Hangzhou only) and lychees (Guangzhou only): two packages."""
    sku, _ = Sku.objects.get_or_create(code=SOUTH_ONLY[0], defaults={
        "name": SOUTH_ONLY[1], "spec": SOUTH_ONLY[2], "weight_g": SOUTH_ONLY[3], "fragile": True})
    if not StockLevel.objects.filter(sku=sku).exists():
        receive_stock(sku_code=sku.code, warehouse_code="gz", quantity=30, actor=Actor.of(User.objects.get(
            username="warehouse")), reference="DEMO-期初")
    if Order.objects.filter(external_id="DEMO-SPLIT-00001").exists():
        return 0
    tea = Sku.objects.filter(code__startswith="TEA-").first()
    placed = now - timedelta(hours=2)
    payload = {
        "channel": "web", "external_id": "DEMO-SPLIT-00001", "placed_at": placed.isoformat(),
        "customer": {"name": "陈晓东", "phone": "13612345678"},
        "shipping_address": {"name": "陈晓东", "phone": "13612345678", "province": "广东省", "city": "深圳市",
                             "district": "南山区", "detail": "科技园南区高新南七道18号", "postcode": "518057"},
        "lines": [{"sku": tea.code, "name": tea.name, "spec": tea.spec, "quantity": 1, "unit_price": "368.00"},
                  {"sku": sku.code, "name": sku.name, "spec": sku.spec, "quantity": 1, "unit_price": "128.00"}],
        "shipping_fee": "0.00", "paid_amount": "496.00",
        "payment": {"method": "alipay", "status": "paid", "paid_at": (placed + timedelta(minutes=1)).isoformat(),
                    "transaction_id": f"{placed:%Y%m%d}0000000001"},
    }
    return intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=shop).created


def _rush_order(shop: Actor, cs: Actor, now) -> int:
    """A Shanghai order marked 加急: next-day SF instead of the cheaper two-day ZTO (rule 加急)."""
    if Order.objects.filter(external_id="DEMO-RUSH-00001").exists():
        return 0
    mug = Sku.objects.filter(code__startswith="MUG-").first()
    placed = now - timedelta(hours=1)
    payload = {
        "channel": "web", "external_id": "DEMO-RUSH-00001", "placed_at": placed.isoformat(),
        "customer": {"name": "林静", "phone": "13798765432"},
        "shipping_address": {"name": "林静", "phone": "13798765432", "province": "上海市", "city": "上海市",
                             "district": "浦东新区", "detail": "张江路88弄5号601室", "postcode": "201203"},
        "lines": [{"sku": mug.code, "name": mug.name, "spec": mug.spec, "quantity": 2, "unit_price": "39.90"}],
        "shipping_fee": "0.00", "paid_amount": "79.80", "buyer_remark": "加急，明天要送人",
        "payment": {"method": "alipay", "status": "paid", "paid_at": (placed + timedelta(minutes=1)).isoformat(),
                    "transaction_id": f"{placed:%Y%m%d}0000000002"},
    }
    order = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=shop).order
    while deliver_pending():  # review holds it for the remark; customer service reads it and lets it through
        pass
    acknowledge_remark(order_no=order.order_no, actor=cs, note="加急：按规则走次日达")
    return 1


def _refunds(cs: Actor) -> int:
    """Two refunds for finance's and customer service's queues: a cancelled paid order, a price adjustment."""
    from oms.orders.cancellation import cancel_order
    from oms.payments.models import Refund
    from oms.payments.refund_flow import raise_price_adjustment

    if Refund.objects.exists():
        return 0
    paid = list(Order.objects.filter(external_id__startswith="DEMO-TAOBAO-", status=OrderStatus.PENDING_SHIPMENT,
                                     payment_status="paid", paid_amount__gt=20).order_by("id")[:2])
    if len(paid) < 2:
        return 0
    cancel_order(order_no=paid[0].order_no, actor=cs, reason="item_withdrawn", note="商品下架，已电话告知买家")
    line = paid[1].lines.order_by("line_no").first()
    raise_price_adjustment(order_no=paid[1].order_no, actor=cs, line_no=line.line_no, units=1,
                           unit_difference=Decimal("5.00"), note="活动价晚生效一天，补差价")
    return 2


def load_demo(*, orders: int = 300) -> str:
    """Create what is missing of the demo data; return a report with the demo accounts."""
    rng = random.Random(20261126)
    now = timezone.now()
    users = _users()
    skus = _skus()
    _mappings(skus)
    _stock(skus, users)
    _carriers()
    shop, cs, cs2 = Actor.of(users["shop"]), Actor.of(users["cs"]), Actor.of(users["cs2"])
    channels = ["taobao", "taobao", "jd", "pdd", "web", "app", "miniapp"]
    created = _split_order(shop, now)  # first, so that review finds the scarce tea still in stock
    created += _rush_order(shop, cs, now)
    _pick_faces()
    _boxes()
    existing = set(Order.objects.filter(external_id__startswith="DEMO-").values_list("external_id", flat=True))
    for n in range(1, orders + 1):
        channel = channels[n % len(channels)]
        paid = n % 5 != 0
        payload = _payload(rng, n, channel, skus, now, paid=paid, cancelled=n % 17 == 0)
        if payload["external_id"] in existing:  # placed_at moves with the clock; keep the stored one
            continue
        result = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=shop)
        created += result.created
    drafts = Order.objects.filter(source="manual").count()
    for n in range(drafts + 1, 9):
        payload = _payload(rng, 10000 + n, "web", skus, now, paid=True, cancelled=False)
        payload.update(channel="offline", external_id=None, seller_note="电话订单")
        payload["payment"]["method"] = "bank_transfer"
        command = parse_intake(payload, channel_lookup=channel_lookup, require_external_id=False)
        order = enter_order(command=command, actor=cs)
        if n <= 4:
            confirm_entry(order_no=order.order_no, actor=cs2)
        elif n == 5:
            return_entry(order_no=order.order_no, actor=cs2, comment="收货电话少一位，请与客户核实")
        created += 1
    while deliver_pending():  # what the worker would do next: review and allocate the orders that came in
        pass
    _refunds(cs)
    rows = "\n".join(f"  {u:<10} {r:<17} {demo_password(u)}" for u, r in DEMO_USERS)
    return (
        f"demo data ready: {created} orders created now, {Order.objects.count()} in all\n"
        f"demo accounts (username, role, password):\n{rows}\n"
        f"API token of the integration user 'shop': {token_for(username='shop')}"
    )
