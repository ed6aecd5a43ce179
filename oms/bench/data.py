"""Realistic, reproducible Chinese order data for the benchmarks (pure Python, no Django).

Every order has a unique external id (the index is part of it), lines from a small
catalogue of real-looking SKUs, amounts that add up, and the payment, discount and
invoice mix of an ordinary marketplace shop.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

SHANGHAI = timezone(timedelta(hours=8))
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CatalogueSku:
    code: str
    name: str
    spec: str
    price: Decimal
    weight_g: int


_PRODUCTS = [
    ("TSHIRT", "纯棉圆领T恤", ["白色", "黑色", "雾霾蓝"], ["S", "M", "L", "XL"], "59.00", 180),
    ("HOODIE", "加绒连帽卫衣", ["灰色", "藏青"], ["M", "L", "XL"], "169.00", 620),
    ("JEANS", "直筒牛仔裤", ["浅蓝", "深蓝"], ["29", "31", "33"], "199.00", 700),
    ("DOWN", "轻薄羽绒服", ["黑色", "米白"], ["M", "L"], "399.00", 450),
    ("MUG", "陶瓷马克杯", ["白色", "墨绿"], ["350ml"], "39.90", 400),
    ("TEA", "西湖龙井礼盒", ["明前特级"], ["250g"], "368.00", 600),
    ("RICE", "五常大米", ["稻花香"], ["5kg"], "89.90", 5100),
    ("SOCKS", "精梳棉袜五双装", ["混色"], ["均码"], "29.90", 150),
    ("CABLE", "Type-C 快充数据线", ["白色"], ["1m", "2m"], "25.00", 60),
    ("EARBUDS", "蓝牙降噪耳机", ["星空黑", "珍珠白"], ["标准版"], "299.00", 120),
    ("PILLOW", "乳胶枕", ["白色"], ["60x40cm"], "129.00", 1300),
    ("CREAM", "保湿面霜", ["滋润型"], ["50g"], "158.00", 160),
]


def catalogue() -> list[CatalogueSku]:
    skus = []
    for code, name, colours, sizes, price, weight in _PRODUCTS:
        for ci, colour in enumerate(colours, start=1):
            for si, size in enumerate(sizes, start=1):
                skus.append(CatalogueSku(
                    code=f"{code}-{ci:02d}-{si:02d}", name=name, spec=f"{colour}/{size}",
                    price=Decimal(price), weight_g=weight,
                ))
    return skus


# The marketplaces send their own SKU codes; the bench maps them to ours (channel SKU mapping).
PLATFORM_PREFIX = {"taobao": "TB", "jd": "JD"}


def platform_sku(channel: str, sku: CatalogueSku) -> str:
    prefix = PLATFORM_PREFIX.get(channel)
    return f"{prefix}{sku.code}" if prefix else sku.code


ADDRESSES = [
    ("浙江省", "杭州市", "西湖区", "文三路", "310012"),
    ("浙江省", "杭州市", "余杭区", "文一西路", "311121"),
    ("浙江省", "宁波市", "鄞州区", "天童南路", "315100"),
    ("上海市", "上海市", "浦东新区", "张江路", "201203"),
    ("上海市", "上海市", "徐汇区", "漕溪北路", "200030"),
    ("北京市", "北京市", "朝阳区", "建国路", "100022"),
    ("北京市", "北京市", "海淀区", "中关村大街", "100080"),
    ("天津市", "天津市", "南开区", "鞍山西道", "300193"),
    ("重庆市", "重庆市", "渝中区", "民族路", "400010"),
    ("广东省", "深圳市", "南山区", "科技南路", "518057"),
    ("广东省", "广州市", "天河区", "天河路", "510620"),
    ("广东省", "东莞市", "", "南城街道鸿福路", "523000"),
    ("江苏省", "南京市", "鼓楼区", "中山北路", "210008"),
    ("江苏省", "苏州市", "吴中区", "东吴北路", "215128"),
    ("四川省", "成都市", "武侯区", "人民南路四段", "610041"),
    ("湖北省", "武汉市", "洪山区", "珞喻路", "430074"),
    ("湖南省", "长沙市", "岳麓区", "麓山南路", "410082"),
    ("陕西省", "西安市", "雁塔区", "小寨东路", "710061"),
    ("山东省", "青岛市", "市南区", "香港中路", "266071"),
    ("福建省", "厦门市", "思明区", "湖滨南路", "361004"),
    ("河南省", "郑州市", "金水区", "花园路", "450003"),
    ("海南省", "儋州市", "", "那大镇中兴大街", "571700"),
    ("辽宁省", "沈阳市", "和平区", "南京北街", "110001"),
    ("云南省", "昆明市", "五华区", "东风西路", "650031"),
]
_COMPOUNDS = ["华星大厦", "阳光花园", "金色家园", "翠苑一区", "创意产业园", "世纪新城", "锦绣江南", "万科城"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超",
    "秀英", "晓东", "子涵", "欣怡", "浩然", "雨桐", "梓轩", "思远", "佳琪", "建华", "海燕", "志强", "婷婷",
]
_MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                    "157", "158", "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "199"]
_MAIL_DOMAINS = ["qq.com", "163.com", "126.com", "foxmail.com", "sina.com"]
REMARKS = [
    "", "", "", "", "周末送货", "请放快递柜", "送人的，不要放价格单", "尽快发货，谢谢", "工作日白天不在家，请放门卫",
]
_COMPANIES = ["杭州云帆科技有限公司", "上海启明贸易有限公司", "深圳前海星河电子有限公司", "北京博雅文化传媒有限公司"]
_CHANNELS = ["taobao"] * 7 + ["jd"] * 4 + ["pdd"] * 4 + ["web"] * 2 + ["app"] * 2 + ["miniapp"]
_PAY_METHODS = {
    "taobao": ["alipay"], "jd": ["wechat", "unionpay", "card"], "pdd": ["wechat", "alipay"],
    "web": ["alipay", "wechat"], "app": ["alipay", "wechat"], "miniapp": ["wechat"],
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def external_id(channel: str, index: int, placed: datetime) -> str:
    """A channel-style order id, unique per (channel, index)."""
    if channel == "taobao":
        return f"{placed:%y}{index:017d}"  # 19 digits
    if channel == "jd":
        return f"3{index:011d}"  # 12 digits
    if channel == "pdd":
        return f"{placed:%y%m%d}-{index:015d}"
    return f"{channel[0].upper()}{placed:%Y%m%d}{index:010d}"


def make_order(rng: random.Random, index: int, *, lines: int = 3, now: datetime | None = None,
               skus: list[CatalogueSku] | None = None, channel: str | None = None,
               coupon: bool | None = None) -> dict:
    """One order as the API takes it (POST /api/v1/orders).

    channel and coupon fix the order's shape (for counting statements); None draws them.
    """
    skus = skus or _CATALOGUE
    now = now or datetime.now(SHANGHAI)
    channel = channel or rng.choice(_CHANNELS)
    placed = (now - timedelta(seconds=rng.randrange(2 * 24 * 3600))).replace(microsecond=0)
    customer, phone = _name(rng), _phone(rng)
    recipient, recipient_phone = (customer, phone) if rng.random() < 0.8 else (_name(rng), _phone(rng))
    province, city, district, road, postcode = rng.choice(ADDRESSES)
    detail = f"{road}{rng.randint(1, 999)}号{rng.choice(_COMPOUNDS)}{rng.randint(1, 30)}幢{rng.randint(1, 6)}单元" \
             f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
    picked = rng.sample(skus, lines) if lines <= len(skus) else [rng.choice(skus) for _ in range(lines)]
    order_lines = [
        {"sku": platform_sku(channel, s), "name": s.name, "spec": s.spec,
         "quantity": 1 if rng.random() < 0.7 else rng.randint(2, 3), "unit_price": f"{s.price:.2f}"}
        for s in picked
    ]
    goods = sum((Decimal(ln["unit_price"]) * ln["quantity"] for ln in order_lines), ZERO)
    shipping = ZERO if goods >= 99 else Decimal(rng.choice(["8.00", "10.00", "12.00"]))
    discounts = []
    if coupon is None:
        if rng.random() < 0.3 and goods > 50:
            discounts.append({"kind": "coupon", "code": rng.choice(["NEW10", "VIP20", "DOUBLE11"]),
                              "amount": "10.00" if goods < 200 else "20.00"})
        if rng.random() < 0.2 and goods >= 200:
            discounts.append({"kind": "promotion", "amount": "20.00", "description": "满200减20"})
        if rng.random() < 0.02 and goods > 10:
            discounts.append({"kind": "manual", "amount": "5.00", "description": "客服改价"})
    elif coupon:
        discounts.append({"kind": "coupon", "code": "NEW10", "amount": "10.00"})
    payable = goods + shipping - sum((Decimal(d["amount"]) for d in discounts), ZERO)
    draw = rng.random()
    cod = channel == "web" and draw < 0.1
    paid = not cod and draw < 0.93
    method = "cod" if cod else rng.choice(_PAY_METHODS[channel])
    payload = {
        "channel": channel,
        "external_id": external_id(channel, index, placed),
        "placed_at": placed.isoformat(),
        "customer": {"name": customer, "phone": phone},
        "shipping_address": {"name": recipient, "phone": recipient_phone, "province": province, "city": city,
                             "district": district, "detail": detail, "postcode": postcode},
        "lines": order_lines,
        "shipping_fee": f"{shipping:.2f}",
        "discounts": discounts,
        "paid_amount": f"{payable:.2f}" if paid else "0.00",
        "payment": {"method": method, "status": "paid" if paid else "unpaid"},
        "buyer_remark": rng.choice(REMARKS),
    }
    if rng.random() < 0.3:
        payload["customer"]["email"] = f"{rng.choice('abcdefghjkmnpqrstwxyz')}{rng.randrange(10**8, 10**10)}@" \
                                       f"{rng.choice(_MAIL_DOMAINS)}"
    if paid:
        paid_at = placed + timedelta(seconds=rng.randint(20, 600))
        payload["payment"]["paid_at"] = paid_at.isoformat()
        payload["payment"]["transaction_id"] = f"{paid_at:%Y%m%d}2200{rng.randrange(10**16):016d}"
    roll = rng.random()
    if roll < 0.12:
        payload["invoice"] = {"type": "personal", "title": customer}
    elif roll < 0.16:
        payload["invoice"] = {"type": "company", "title": rng.choice(_COMPANIES),
                              "tax_id": f"91{rng.randrange(10**6):06d}MA{rng.randrange(36**8):08X}"[:18]}
    if rng.random() < 0.05:
        payload["seller_note"] = "老客户，优先发货"
    return payload


_CATALOGUE = catalogue()

# The import template's columns, one row per order line (order fields repeated on every row).
CSV_COLUMNS = [
    "channel", "external_id", "placed_at", "customer_name", "customer_phone", "customer_email",
    "recipient_name", "recipient_phone", "province", "city", "district", "address_detail", "postcode",
    "sku", "item_name", "spec", "quantity", "unit_price", "shipping_fee", "coupon_discount",
    "promotion_discount", "manual_discount", "paid_amount", "payment_method", "payment_status", "paid_at",
    "transaction_id", "buyer_remark", "seller_note", "invoice_type", "invoice_title", "invoice_tax_id",
]


def csv_rows(order: dict) -> list[dict[str, str]]:
    """The order as import rows keyed by CSV_COLUMNS, one per line."""
    by_kind = {"coupon": ZERO, "promotion": ZERO, "manual": ZERO}
    for d in order["discounts"]:
        by_kind[d["kind"]] += Decimal(d["amount"])
    cust, addr, pay = order["customer"], order["shipping_address"], order["payment"]
    invoice = order.get("invoice") or {}
    common = {
        "channel": order["channel"], "external_id": order["external_id"], "placed_at": order["placed_at"],
        "customer_name": cust["name"], "customer_phone": cust["phone"], "customer_email": cust.get("email", ""),
        "recipient_name": addr["name"], "recipient_phone": addr["phone"], "province": addr["province"],
        "city": addr["city"], "district": addr["district"], "address_detail": addr["detail"],
        "postcode": addr["postcode"], "shipping_fee": order["shipping_fee"],
        "coupon_discount": f"{by_kind['coupon']:.2f}" if by_kind["coupon"] else "",
        "promotion_discount": f"{by_kind['promotion']:.2f}" if by_kind["promotion"] else "",
        "manual_discount": f"{by_kind['manual']:.2f}" if by_kind["manual"] else "",
        "paid_amount": order["paid_amount"], "payment_method": pay["method"], "payment_status": pay["status"],
        "paid_at": pay.get("paid_at", ""), "transaction_id": pay.get("transaction_id", ""),
        "buyer_remark": order.get("buyer_remark", ""), "seller_note": order.get("seller_note", ""),
        "invoice_type": invoice.get("type", ""), "invoice_title": invoice.get("title", ""),
        "invoice_tax_id": invoice.get("tax_id", ""),
    }
    return [
        {**common, "sku": ln["sku"], "item_name": ln["name"], "spec": ln["spec"],
         "quantity": str(ln["quantity"]), "unit_price": ln["unit_price"]}
        for ln in order["lines"]
    ]
