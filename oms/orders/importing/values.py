"""Cell values from CSV text or XLSX cells, made into what intake validation expects.

Text stays text; spreadsheet numbers become exact decimal strings (a cell showing
59.9 is "59.90", never 59.899999…); times without an offset are Asia/Shanghai;
Chinese words for payment method, payment status and invoice type become codes.
A value that cannot be converted is passed on unchanged together with a message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from oms.orders.importing.columns import Kind

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")
MONEY_TEXT = re.compile(r"^[0-9]{1,10}\.[0-9]{2}$")

PAYMENT_METHODS = {
    "支付宝": "alipay", "微信": "wechat", "微信支付": "wechat", "银联": "unionpay", "云闪付": "unionpay",
    "银行卡": "card", "信用卡": "card",
    "银行转账": "bank_transfer", "转账": "bank_transfer", "对公转账": "bank_transfer",
    "现金": "cash", "货到付款": "cod", "平台": "platform", "平台结算": "platform",
}
PAYMENT_STATUSES = {"已支付": "paid", "已付款": "paid", "未支付": "unpaid", "未付款": "unpaid", "待付款": "unpaid"}
INVOICE_TYPES = {
    "个人": "personal", "个人发票": "personal", "公司": "company", "企业": "company", "单位": "company",
    "增值税专用发票": "vat_special", "专票": "vat_special", "不开发票": "", "无": "", "不开": "",
}
ALIASES = {
    Kind.PAYMENT_METHOD: PAYMENT_METHODS, Kind.PAYMENT_STATUS: PAYMENT_STATUSES, Kind.INVOICE_TYPE: INVOICE_TYPES,
}

TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d")
# Excel serial day numbers between 1954 and 2173: a date cell that lost its format.
EXCEL_SERIALS = (20000, 100000)


class Unconvertible(ValueError):
    def __init__(self, value: object, message: str):
        super().__init__(message)
        self.value = value
        self.message = message


def _number_text(value: float | int) -> str:
    """A spreadsheet number as Excel shows it (15 significant digits), without float artefacts."""
    if isinstance(value, int):
        return str(value)
    number = Decimal(format(value, ".15g"))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    text = str(value).strip()
    return text or None


def _money(value: object) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
    else:
        text = _text(value)
        if text is None:
            return None
        text = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text  # intake validation names the problem
    if amount.is_finite() and amount == amount.quantize(CENT):
        return f"{amount.quantize(CENT)}"
    return text


def _quantity(value: object) -> int | str | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value)
    if text is not None and text.endswith(".0") and text[:-2].isdigit():
        return int(text[:-2])
    return text


def _moment(value: object) -> datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if EXCEL_SERIALS[0] <= value <= EXCEL_SERIALS[1]:
            value = from_excel(value)
        else:
            raise Unconvertible(value, _time_message())
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    else:
        text = str(value).strip()
        parsed = _parse_time_text(text)
        if parsed is None:
            raise Unconvertible(text, _time_message())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed


def _parse_time_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _time_message() -> str:
    return _("Use a time such as 2026-11-26 10:15:00 (Beijing time) or 2026-11-26T10:15:00+08:00.")


def _choice(value: object, aliases: dict[str, str]) -> str | None:
    text = _text(value)
    if text is None:
        return None
    if text in aliases:
        return aliases[text]
    return text.lower()


def _text_cell(value: object) -> str | None:
    if type(value) is str:
        return value.strip() or None
    return _text(value)


def _money_cell(value: object) -> str | None:
    if type(value) is str and MONEY_TEXT.match(value):
        return value  # already "59.00"
    return _money(value)


@lru_cache(maxsize=4096)
def _moment_text(text: str) -> datetime:
    return _moment(text)  # rows of one order repeat their times; parse each distinct text once


def _moment_cell(value: object) -> datetime | None:
    if type(value) is str and value.strip():
        return _moment_text(value)
    return _moment(value)


def converter(kind: Kind) -> Callable[[object], object]:
    """cell value -> the value for the intake payload; raises Unconvertible with a message."""
    if kind is Kind.TEXT:
        return _text_cell
    if kind is Kind.MONEY:
        return _money_cell
    if kind is Kind.QUANTITY:
        return _quantity
    if kind is Kind.MOMENT:
        return _moment_cell
    aliases = ALIASES[kind]
    return lambda value: _choice(value, aliases)


def convert(kind: Kind, value: object) -> object:
    return converter(kind)(value)
