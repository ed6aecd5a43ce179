"""File import through real HTTP against a live server: download the template, fill it, upload it."""

import io
import json
import urllib.error
import urllib.request
import uuid

import pytest
from openpyxl import load_workbook

from oms.accounts.services import token_for
from oms.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def request(url, *, token, body: bytes | None = None, content_type: str = ""):
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    req.add_header("Authorization", f"Token {token}")
    if content_type:
        req.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_filled_in_template_uploaded_over_http_creates_its_orders_once(live_server, users):
    token = token_for(username=users["customer_service"].username)
    status, headers, template = request(f"{live_server.url}/api/v1/orders/import-template?format=xlsx&lang=zh",
                                        token=token)
    assert status == 200 and "order-import-template-zh.xlsx" in headers["Content-Disposition"]

    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    example = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    for n in range(2, 4):  # two more orders like the example, with their own external ids
        for cells in example:
            sheet.append([f"TB-E2E-{n}" if i == 1 else v for i, v in enumerate(cells)])
    sheet.cell(row=sheet.max_row, column=17).value = "三"  # quantity of the last order's second line
    out = io.BytesIO()
    workbook.save(out)
    body, content_type = multipart("file", "十一月订单.xlsx", out.getvalue())

    status, _, raw = request(f"{live_server.url}/api/v1/orders/import", token=token, body=body,
                             content_type=content_type)
    report = json.loads(raw)

    assert status == 200, raw
    assert report["orders_in_file"] == 3 and len(report["created"]) == 2
    assert report["errors"] == [{"row": 7, "column": "数量", "message": report["errors"][0]["message"]}]

    status, _, raw = request(f"{live_server.url}/api/v1/orders/import", token=token, body=body,
                             content_type=content_type)
    again = json.loads(raw)
    assert again["created"] == [] and sorted(again["duplicates"]) == ["TB-E2E-2", "TB202611260001"]
    assert Order.objects.count() == 2


def test_a_role_without_the_import_permission_is_refused_over_http(live_server, users):
    token = token_for(username=users["warehouse"].username)
    body, content_type = multipart("file", "a.csv", b"channel,external_id\r\n")

    status, _, raw = request(f"{live_server.url}/api/v1/orders/import", token=token, body=body,
                             content_type=content_type)

    assert status == 403
    assert json.loads(raw)["error"]["code"] == "permission_denied"
