"""Kuaidi100 (快递100), a carrier aggregator: electronic waybills, tracking subscriptions, pushes, queries.

Its documented shapes (form posts with a JSON `param` and an upper-case MD5 `sign`):

- e-waybill  POST {base}/label/order   method=order, key, t (ms), param, sign = MD5(param + t + key + secret)
             → {"success", "code", "message", "data": {"kuaidinum", "taskId", …}}
- subscribe  POST {base}/poll          schema=json, param={"company", "number", "key",
             "parameters": {"callbackurl", "salt", "resultv2": "1", "phone"}} → {"result", "returnCode", "message"}
- push       POST to our callback      param={"status", "message", "lastResult": {"state", "ischeck", "com", "nu",
             "data": [{"context", "time", "ftime", "status", "statusCode", "areaName"}, …]}},
             sign = MD5(param + salt); we answer {"result": true, "returnCode": "200", "message": "成功"}
- query      POST {base}/poll/query.do customer, param={"com", "num", "resultv2": "1"}, sign = MD5(param + key +
             customer) → the same shape as lastResult

Settings: OMS_KUAIDI100_URL, OMS_KUAIDI100_KEY, OMS_KUAIDI100_SECRET (waybills), OMS_KUAIDI100_CUSTOMER (queries),
OMS_KUAIDI100_SALT (pushes), OMS_PUBLIC_URL (our callback address), OMS_KUAIDI100_SENDER_PHONE (the sender's
phone on waybills), OMS_KUAIDI100_POLLING=1 for accounts without pushes (we query instead of subscribing).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.shipping.adapters.base import (
    CarrierUnavailable,
    PushReply,
    SubscriptionFailed,
    WaybillFailed,
    required_setting,
)
from oms.shipping.models import CarrierAdapter, TrackingStatus
from oms.shipping.tracking import IncomingEvent

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")  # the aggregator's times carry no offset
S = TrackingStatus

# Main states (`state`) and, with resultv2=1, the finer sub-states.
STATES = {
    "0": S.IN_TRANSIT, "1": S.ACCEPTED, "2": S.EXCEPTION, "3": S.DELIVERED, "4": S.RETURNED_TO_SENDER,
    "5": S.OUT_FOR_DELIVERY, "6": S.RETURNED_TO_SENDER, "7": S.IN_TRANSIT, "8": S.IN_TRANSIT,
    "14": S.DELIVERY_FAILED,
}
SUB_STATES = {
    "101": S.ACCEPTED, "102": S.ACCEPTED, "103": S.ACCEPTED,  # ordered, waiting for pickup, picked up
    "1001": S.IN_TRANSIT, "1002": S.IN_TRANSIT, "1003": S.IN_TRANSIT,  # at the city, trunk line, handed on
    "501": S.OUT_FOR_DELIVERY,  # put in a locker or a parcel station
    "301": S.DELIVERED, "302": S.DELIVERED, "303": S.DELIVERED, "304": S.DELIVERED,
    "401": S.RETURNED_TO_SENDER,
    "201": S.EXCEPTION, "202": S.EXCEPTION, "205": S.EXCEPTION, "207": S.EXCEPTION, "208": S.EXCEPTION,
    "209": S.EXCEPTION, "210": S.EXCEPTION, "211": S.EXCEPTION,
    "203": S.DELIVERY_FAILED, "204": S.DELIVERY_FAILED, "206": S.DELIVERY_FAILED,  # refused, failed, unreachable
    "10": S.IN_TRANSIT, "11": S.IN_TRANSIT, "12": S.IN_TRANSIT, "13": S.EXCEPTION,  # customs
}
STATE_NAMES = {
    "在途": "0", "揽收": "1", "疑难": "2", "签收": "3", "退签": "4", "派件": "5", "退回": "6", "转投": "7",
    "清关": "8", "待清关": "10", "清关中": "11", "已清关": "12", "清关异常": "13", "拒签": "14",
}
OK_REPLY = {"result": True, "returnCode": "200", "message": "成功"}


def sign(*parts: str) -> str:
    """The aggregator's signature: MD5 of the parts joined, upper-case hex."""
    return hashlib.md5("".join(parts).encode("utf-8")).hexdigest().upper()  # noqa: S324 - their protocol


def normalise(code: str | None, name: str = "") -> str | None:
    """Our status for a state or sub-state code (or its Chinese name); exception when unknown; None when absent."""
    code = (code or "").strip() or STATE_NAMES.get((name or "").strip(), "")
    if not code:
        return None
    if code in SUB_STATES:
        return SUB_STATES[code]
    if code in STATES:
        return STATES[code]
    if len(code) == 3 and code[0] in STATES:  # an unlisted sub-state keeps its main state
        return STATES[code[0]]
    return S.EXCEPTION


def parse_time(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=CHINA)
        except (ValueError, AttributeError):
            continue
    return None


def events_of(result: dict, *, carrier: str) -> list[IncomingEvent]:
    """The events of a lastResult (push) or query answer, newest first as the aggregator lists them."""
    number = str(result.get("nu") or "").strip()
    items = result.get("data") or []
    if not number or not isinstance(items, list):
        return []
    events = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        at = parse_time(str(item.get("ftime") or item.get("time") or ""))
        if at is None:
            continue
        code = str(item.get("statusCode") or "")
        status = normalise(code, str(item.get("status") or ""))
        if status is None:  # no status on the scan: the newest one carries the parcel's state
            status = normalise(str(result.get("state") or "")) if index == 0 else None
        events.append(IncomingEvent(
            carrier=carrier, tracking_no=number, status=status or S.IN_TRANSIT,
            carrier_status=code or str(item.get("status") or ""), description=str(item.get("context") or ""),
            location=str(item.get("areaName") or item.get("location") or ""), occurred_at=at))
    return events


def _post_form(url: str, fields: dict, *, error: type[CarrierUnavailable]) -> dict:
    body = urllib.parse.urlencode(fields).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=settings.OMS_KUAIDI100_TIMEOUT) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise error(_("Kuaidi100 answered HTTP %(status)s.") % {"status": exc.code},
                    details={"url": url, "status": exc.code}) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise error(_("Kuaidi100 could not be reached: %(reason)s") % {"reason": getattr(exc, "reason", exc)},
                    details={"url": url}) from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise error(_("Kuaidi100 answered something that is not JSON."), details={"url": url}) from exc
    if not isinstance(answer, dict):
        raise error(_("Kuaidi100 answered something that is not JSON."), details={"url": url})
    return answer


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Kuaidi100Adapter:
    code = CarrierAdapter.KUAIDI100

    @property
    def needs_polling(self) -> bool:
        return bool(settings.OMS_KUAIDI100_POLLING)

    def _base(self, error: type[CarrierUnavailable]) -> str:
        return required_setting("OMS_KUAIDI100_URL", error).rstrip("/")

    def _company(self, carrier, error: type[CarrierUnavailable]) -> str:
        if carrier is None or not carrier.adapter_code:
            raise error(_("The carrier has no company code at Kuaidi100 (adapter code)."),
                        details={"carrier": getattr(carrier, "code", None)})
        return carrier.adapter_code

    def create_waybill(self, *, package) -> str | None:
        base = self._base(WaybillFailed)
        key = required_setting("OMS_KUAIDI100_KEY", WaybillFailed)
        secret = required_setting("OMS_KUAIDI100_SECRET", WaybillFailed)
        sender_phone = required_setting("OMS_KUAIDI100_SENDER_PHONE", WaybillFailed)
        company = self._company(package.carrier, WaybillFailed)
        order, warehouse = package.order, package.warehouse
        names = list(package.lines.values_list("sku__name", flat=True)[:3])
        weight_g = package.packed_weight_g or package.weight_g or 0
        param = _dumps({
            "kuaidicom": company,
            "partnerId": settings.OMS_KUAIDI100_PARTNER_ID, "partnerKey": settings.OMS_KUAIDI100_PARTNER_KEY,
            "recMan": {"name": order.ship_name, "mobile": order.ship_phone,
                       "printAddr": f"{order.ship_province}{order.ship_city}{order.ship_district}{order.ship_detail}"},
            "sendMan": {"name": warehouse.name, "mobile": sender_phone,
                        "printAddr": f"{warehouse.province}{warehouse.city}{warehouse.address}"},
            "cargo": "、".join(names) or "商品", "count": 1, "weight": f"{weight_g / 1000:.2f}",
            "payType": "SHIPPER", "expType": "标准快递", "printType": "NON", "orderId": package.number,
            "remark": package.number,
        })
        t = str(int(time.time() * 1000))
        answer = _post_form(f"{base}/label/order", {"method": "order", "key": key, "t": t, "param": param,
                                                     "sign": sign(param, t, key, secret)}, error=WaybillFailed)
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        number = str(data.get("kuaidinum") or "").strip()
        if not answer.get("success") or not number:
            raise WaybillFailed(
                _("Kuaidi100 gave no waybill number: %(message)s") % {"message": answer.get("message") or "?"},
                details={"package": package.number, "code": answer.get("code"), "message": answer.get("message")})
        return number

    def subscribe(self, *, package) -> None:
        if self.needs_polling:
            return  # this account has no pushes: the periodic job queries instead
        base = self._base(SubscriptionFailed)
        key = required_setting("OMS_KUAIDI100_KEY", SubscriptionFailed)
        salt = required_setting("OMS_KUAIDI100_SALT", SubscriptionFailed)
        public = required_setting("OMS_PUBLIC_URL", SubscriptionFailed).rstrip("/")
        param = _dumps({
            "company": self._company(package.carrier, SubscriptionFailed), "number": package.tracking_no, "key": key,
            "parameters": {"callbackurl": public + reverse("api:tracking_push", args=[self.code]), "salt": salt,
                           "resultv2": "1", "phone": package.order.ship_phone},
        })
        answer = _post_form(f"{base}/poll", {"schema": "json", "param": param}, error=SubscriptionFailed)
        # 501: already subscribed (a retry after a lost answer) is as good as accepted.
        if not (answer.get("result") is True or str(answer.get("returnCode")) in ("200", "501")):
            raise SubscriptionFailed(
                _("Kuaidi100 refused the subscription: %(message)s") % {"message": answer.get("message") or "?"},
                details={"package": package.number, "returnCode": answer.get("returnCode")})

    def parse_push(self, request) -> tuple[list[IncomingEvent], PushReply]:
        from oms.shipping.models import Carrier

        salt = required_setting("OMS_KUAIDI100_SALT")
        data = getattr(request, "data", None)
        if data is None or not hasattr(data, "get"):
            data = request.POST
        param, signature = data.get("param"), data.get("sign")
        if not isinstance(param, str) or not isinstance(signature, str) or \
                not hmac.compare_digest(sign(param, salt), signature.strip().upper()):
            return [], PushReply(400, {"result": False, "returnCode": "500", "message": "签名错误"})
        try:
            body = json.loads(param)
            result = body["lastResult"]
            com = str(result.get("com") or "")
        except (ValueError, KeyError, TypeError, AttributeError):
            return [], PushReply(400, {"result": False, "returnCode": "500", "message": "参数错误"})
        carrier = Carrier.objects.filter(adapter=self.code, adapter_code=com).values_list("code", flat=True).first()
        return events_of(result, carrier=carrier or ""), PushReply(200, dict(OK_REPLY))

    def poll(self, packages: Iterable) -> list[IncomingEvent]:
        base = self._base(CarrierUnavailable)
        key = required_setting("OMS_KUAIDI100_KEY")
        customer = required_setting("OMS_KUAIDI100_CUSTOMER")
        events = []
        for package in packages:
            param = _dumps({"com": self._company(package.carrier, CarrierUnavailable), "num": package.tracking_no,
                            "resultv2": "1", "phone": package.order.ship_phone})
            answer = _post_form(f"{base}/poll/query.do",
                                {"customer": customer, "param": param, "sign": sign(param, key, customer)},
                                error=CarrierUnavailable)
            if answer.get("result") is False or str(answer.get("status") or "200") != "200":
                # One parcel the aggregator does not know yet must not stop the others.
                log.warning("kuaidi100 query of %s refused: %s", package.tracking_no, answer.get("message"))
                continue
            events += events_of(answer, carrier=package.carrier.code)
        return events
