"""The intake API through real HTTP against a live server."""

import json
import threading
import urllib.error
import urllib.request

import pytest

from oms.accounts.services import token_for
from oms.orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def call(url, *, method="GET", body=None, token=None, headers=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


@pytest.fixture
def shop_token(users):
    return token_for(username=users["integration"].username)


def test_an_order_pushed_over_http_can_be_read_back_with_its_timeline(live_server, users, shop_token, order_payload):
    status, body = call(f"{live_server.url}/api/v1/orders", method="POST", body=order_payload(), token=shop_token)
    assert status == 201
    order_no = body["order_no"]

    cs_token = token_for(username=users["customer_service"].username)
    status, detail = call(f"{live_server.url}/api/v1/orders/{order_no}", token=cs_token)

    assert status == 200
    assert detail["amounts"]["payable_amount"] == "118.00"
    assert [e["action"] for e in detail["timeline"]] == ["order_received"]


def test_concurrent_duplicate_pushes_over_http_create_one_order(live_server, shop_token, order_payload):
    results = []

    def push():
        results.append(call(f"{live_server.url}/api/v1/orders", method="POST", body=order_payload(),
                            token=shop_token))

    threads = [threading.Thread(target=push) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 200, 200, 200, 200, 201]
    assert len({body["order_no"] for _, body in results}) == 1
    assert Order.objects.count() == 1


def test_errors_over_http_use_the_documented_shape(live_server, shop_token):
    status, body = call(f"{live_server.url}/api/v1/orders", method="POST", body=b"{oops", token=shop_token)
    assert status == 400
    assert set(body["error"]) == {"code", "message", "details"}

    status, body = call(f"{live_server.url}/api/v1/orders", method="POST", body={"channel": "taobao"})
    assert status == 401
    assert body["error"]["code"] == "not_authenticated"


def test_the_openapi_document_names_every_operation(live_server):
    request = urllib.request.Request(f"{live_server.url}/api/schema/?format=json")
    with urllib.request.urlopen(request, timeout=30) as response:
        schema = json.loads(response.read())
    operations = [op for path in schema["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert operations
    assert all(op.get("operationId") for op in operations)
    assert "/api/v1/orders" in schema["paths"]
