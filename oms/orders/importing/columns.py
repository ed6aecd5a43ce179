"""The columns of an order import file and how a header row is recognised.

English headers are the column keys; Chinese headers are data (what Chinese
spreadsheets say), not translations, so either language is read whatever the
user's interface language is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    MONEY = "money"
    QUANTITY = "quantity"
    MOMENT = "moment"
    PAYMENT_METHOD = "payment_method"
    PAYMENT_STATUS = "payment_status"
    INVOICE_TYPE = "invoice_type"


@dataclass(frozen=True)
class Column:
    key: str  # also the English header
    zh: str  # the Chinese header
    kind: Kind = Kind.TEXT
    line: bool = False  # a line column (varies per row) rather than an order column
    required: bool = False  # the header row must have it
    zh_aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("channel", "渠道", required=True, zh_aliases=("渠道编码", "销售渠道")),
    Column("external_id", "外部订单号", required=True, zh_aliases=("平台订单号", "渠道订单号")),
    Column("placed_at", "下单时间", Kind.MOMENT, required=True),
    Column("customer_name", "客户姓名", required=True, zh_aliases=("买家姓名",)),
    Column("customer_phone", "客户电话", required=True, zh_aliases=("客户手机", "买家电话", "买家手机")),
    Column("customer_email", "客户邮箱", zh_aliases=("买家邮箱",)),
    Column("recipient_name", "收件人", required=True, zh_aliases=("收件人姓名", "收货人")),
    Column("recipient_phone", "收件人电话", required=True, zh_aliases=("收件人手机", "收货人电话", "收货人手机")),
    Column("province", "省", required=True, zh_aliases=("省份",)),
    Column("city", "市", required=True, zh_aliases=("城市",)),
    Column("district", "区/县", zh_aliases=("区县", "区")),
    Column("address_detail", "详细地址", required=True, zh_aliases=("地址",)),
    Column("postcode", "邮编", zh_aliases=("邮政编码",)),
    Column("sku", "SKU", line=True, required=True, zh_aliases=("商品编码",)),
    Column("item_name", "商品名称", line=True, required=True),
    Column("spec", "规格", line=True),
    Column("quantity", "数量", Kind.QUANTITY, line=True, required=True),
    Column("unit_price", "单价", Kind.MONEY, line=True, required=True),
    Column("shipping_fee", "运费", Kind.MONEY),
    Column("coupon_discount", "优惠券优惠", Kind.MONEY),
    Column("promotion_discount", "促销优惠", Kind.MONEY),
    Column("manual_discount", "手工优惠", Kind.MONEY),
    Column("paid_amount", "实付金额", Kind.MONEY),
    Column("payment_method", "支付方式", Kind.PAYMENT_METHOD, required=True),
    Column("payment_status", "支付状态", Kind.PAYMENT_STATUS, required=True),
    Column("paid_at", "支付时间", Kind.MOMENT),
    Column("transaction_id", "交易流水号", zh_aliases=("支付流水号",)),
    Column("buyer_remark", "买家备注"),
    Column("seller_note", "卖家备注"),
    Column("invoice_type", "发票类型", Kind.INVOICE_TYPE),
    Column("invoice_title", "发票抬头"),
    Column("invoice_tax_id", "税号", zh_aliases=("纳税人识别号",)),
)
BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}
ORDER_COLUMNS = tuple(c for c in COLUMNS if not c.line)
DISCOUNT_KINDS = {"coupon_discount": "coupon", "promotion_discount": "promotion", "manual_discount": "manual"}


def normalise_header(text: object) -> str:
    """Lenient form of a header cell: no surrounding or doubled spaces, no BOM, case-folded."""
    if text is None:
        return ""
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


def _header_table() -> dict[str, tuple[str, str]]:
    """normalised header -> (column key, language it is written in, or "" when both)."""
    table: dict[str, tuple[str, str]] = {}
    for c in COLUMNS:
        table[normalise_header(c.key)] = (c.key, "en")
        table[normalise_header(c.key.replace("_", " "))] = (c.key, "en")
        for zh in (c.zh, *c.zh_aliases):
            name = normalise_header(zh)
            table[name] = (c.key, "" if name in table else "zh")  # "SKU" is both: it casts no vote
    return table


HEADERS = _header_table()


def header_text(key: str, lang: str) -> str:
    return BY_KEY[key].zh if lang == "zh" else key


@dataclass
class HeaderRow:
    row: int  # spreadsheet row number
    positions: dict[str, int]  # column key -> 0-based cell index
    texts: dict[str, str]  # column key -> header text as written in the file
    lang: str  # "zh" or "en": the language most headers are in
    duplicates: list[str]  # header texts that name a column already seen

    def text(self, key: str) -> str:
        """The column's header as the file writes it, or in the file's language when absent."""
        return self.texts.get(key) or header_text(key, self.lang)

    def missing(self) -> list[str]:
        return [c.key for c in COLUMNS if c.required and c.key not in self.positions]


def match_header(cells: list[object], row: int) -> HeaderRow | None:
    """Read a row as a header row; None unless at least two cells name known columns."""
    positions: dict[str, int] = {}
    texts: dict[str, str] = {}
    votes = {"zh": 0, "en": 0}
    duplicates: list[str] = []
    for i, cell in enumerate(cells):
        found = HEADERS.get(normalise_header(cell))
        if found is None:
            continue
        key, lang = found
        if key in positions:
            duplicates.append(str(cell).strip())
            continue
        positions[key] = i
        texts[key] = str(cell).replace("\ufeff", "").strip()
        if lang:
            votes[lang] += 1
    if len(positions) < 2:
        return None
    lang = "en" if votes["en"] > votes["zh"] else "zh"
    return HeaderRow(row=row, positions=positions, texts=texts, lang=lang, duplicates=duplicates)
