"""A local stand-in for Kuaidi100 (快递100) that follows its documented request and answer shapes.

A real HTTP server on 127.0.0.1 in a thread: it checks signatures, gives out waybill numbers,
records tracking subscriptions, answers queries from the scans it was told about, and pushes
tracking to a subscription's callback URL as Kuaidi100 does (form `param` + `sign`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "test-key-abc"
SECRET = "test-secret-xyz"
CUSTOMER = "TESTCUSTOMER01"
SALT = "test-salt-123"


def md5_upper(*parts: str) -> str:
    return hashlib.md5("".join(parts).encode("utf-8")).hexdigest().upper()


@dataclass
class Kuaidi100Stub:
    key: str = KEY
    secret: str = SECRET
    customer: str = CUSTOMER
    waybills: list[dict] = field(default_factory=list)  # the `param` of each e-waybill order
    subscriptions: dict[tuple[str, str], dict] = field(default_factory=dict)  # (company, number) → param
    scans: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # newest first, as Kuaidi100 lists
    states: dict[tuple[str, str], str] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # why requests were refused
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(773100000001))

    # --- what the server answers ----------------------------------------------------------
    def label_order(self, form: dict) -> dict:
        param, t, key, sign = (form.get(k, "") for k in ("param", "t", "key", "sign"))
        if form.get("method") != "order" or key != self.key or not t.isdigit():
            return self._refuse("label: method, key or t", {"success": False, "code": 30001, "message": "参数错误"})
        if sign != md5_upper(param, t, key, self.secret):
            return self._refuse("label: sign", {"success": False, "code": 30002, "message": "签名验证失败"})
        body = json.loads(param)
        for who in ("recMan", "sendMan"):
            if not all(str(body.get(who, {}).get(k, "")).strip() for k in ("name", "mobile", "printAddr")):
                return self._refuse(f"label: {who}", {"success": False, "code": 30003, "message": f"{who}信息不完整"})
        if not body.get("kuaidicom"):
            return self._refuse("label: kuaidicom",
                                {"success": False, "code": 30004, "message": "快递公司编码不能为空"})
        self.waybills.append(body)
        number = f"{body['kuaidicom'][:2].upper()}{next(self._numbers)}"
        return {"success": True, "code": 200, "message": "success",
                "data": {"taskId": f"T{len(self.waybills):08d}", "kuaidinum": number, "kuaidicom": body["kuaidicom"],
                         "eOrder": "", "label": ""}}

    def poll(self, form: dict) -> dict:
        if form.get("schema") != "json":
            return self._refuse("poll: schema", {"result": False, "returnCode": "400", "message": "数据不完整"})
        body = json.loads(form.get("param", "{}"))
        params = body.get("parameters") or {}
        if body.get("key") != self.key:
            return self._refuse("poll: key", {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"})
        if not body.get("company") or not body.get("number") or not params.get("callbackurl"):
            return self._refuse("poll: fields", {"result": False, "returnCode": "400", "message": "数据不完整"})
        where = (body["company"], body["number"])
        if where in self.subscriptions:
            return {"result": False, "returnCode": "501", "message": "重复订阅"}
        self.subscriptions[where] = body
        return {"result": True, "returnCode": "200", "message": "提交成功"}

    def query(self, form: dict) -> dict:
        param, customer, sign = (form.get(k, "") for k in ("param", "customer", "sign"))
        if customer != self.customer or sign != md5_upper(param, self.key, customer):
            return self._refuse("query: sign", {"result": False, "returnCode": "601", "message": "签名错误"})
        body = json.loads(param)
        where = (body.get("com", ""), body.get("num", ""))
        if where not in self.scans:
            return {"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"}
        return {"message": "ok", "status": "200", **self.last_result(*where)}

    def _refuse(self, why: str, answer: dict) -> dict:
        self.refused.append(why)
        return answer

    # --- what a test tells it ---------------------------------------------------------------
    def scan(self, company: str, number: str, *, time: str, context: str, state: str, status_code: str = "",
             status: str = "", area: str = "") -> None:
        """A new scan of a parcel (added on top: the list stays newest first)."""
        item = {"time": time, "ftime": time, "context": context, "areaName": area, "status": status}
        if status_code:
            item["statusCode"] = status_code
        self.scans.setdefault((company, number), []).insert(0, item)
        self.scans[(company, number)].sort(key=lambda i: i["ftime"], reverse=True)
        self.states[(company, number)] = state

    def last_result(self, company: str, number: str, *, items: list[dict] | None = None) -> dict:
        state = self.states.get((company, number), "0")
        return {"state": state, "ischeck": "1" if state in ("3", "4") else "0", "com": company, "nu": number,
                "condition": "F00", "data": self.scans.get((company, number), []) if items is None else items}

    def push_form(self, company: str, number: str, *, salt: str, items: list[dict] | None = None) -> dict:
        """The form Kuaidi100 posts to a callback: `param` (JSON) and `sign` = MD5(param + salt)."""
        param = json.dumps({"status": "polling", "billstatus": "got", "message": "",
                            "lastResult": self.last_result(company, number, items=items)}, ensure_ascii=False)
        return {"param": param, "sign": md5_upper(param, salt)}

    def push(self, company: str, number: str, *, items: list[dict] | None = None, salt: str | None = None,
             url: str | None = None) -> tuple[int, dict]:
        """POST the parcel's tracking to its subscription's callback, signed with its salt."""
        subscription = self.subscriptions[(company, number)]["parameters"]
        form = self.push_form(company, number, items=items, salt=subscription["salt"] if salt is None else salt)
        data = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(url or subscription["callbackurl"], data=data, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


class _Handler(BaseHTTPRequestHandler):
    stub: Kuaidi100Stub

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8")).items()}
        route = {"/label/order": self.stub.label_order, "/poll": self.stub.poll,
                 "/poll/query.do": self.stub.query}.get(urllib.parse.urlsplit(self.path).path)
        if route is None:
            self.send_error(404)
            return
        body = json.dumps(route(form), ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet test output
        pass


class Kuaidi100Server:
    """Context manager: the stub served on 127.0.0.1 (a free port) in a thread; `.url` is its base."""

    def __init__(self):
        self.stub = Kuaidi100Stub()
        handler = type("Handler", (_Handler,), {"stub": self.stub})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Kuaidi100Server:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def configure(settings, server: Kuaidi100Server, public_url: str = "http://127.0.0.1:1") -> None:
    """Point the adapter's settings at this server (pytest-django's `settings` fixture)."""
    settings.OMS_KUAIDI100_URL = server.url
    settings.OMS_KUAIDI100_KEY = KEY
    settings.OMS_KUAIDI100_SECRET = SECRET
    settings.OMS_KUAIDI100_CUSTOMER = CUSTOMER
    settings.OMS_KUAIDI100_SALT = SALT
    settings.OMS_KUAIDI100_SENDER_PHONE = "057188886666"
    settings.OMS_PUBLIC_URL = public_url
