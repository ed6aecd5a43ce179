"""POST /api/v1/orders/import and GET /api/v1/orders/import-template."""

import io

import pytest

from oms.orders.models import Order
from tests.orders.importing.import_builders import csv_bytes, order_rows, xlsx_bytes

IMPORT_URL = "/api/v1/orders/import"
TEMPLATE_URL = "/api/v1/orders/import-template"


def upload(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return {"file": file}


def test_uploading_a_file_returns_the_import_report(api):
    rows = order_rows("API1") + order_rows("API2", customer_phone="")

    response = api("customer_service").post(IMPORT_URL, upload(csv_bytes(rows, lang="zh"), "订单.csv"),
                                            format="multipart")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["orders_in_file"] == 2
    assert len(body["created"]) == 1 and body["duplicates"] == []
    assert body["errors"] == [{"row": 4, "column": "客户电话", "message": body["errors"][0]["message"]}]
    assert Order.objects.get().external_id == "API1"


def test_uploading_the_same_xlsx_again_reports_duplicates(api):
    content = xlsx_bytes(order_rows("APIX"))
    api("operations").post(IMPORT_URL, upload(content, "a.xlsx"), format="multipart")

    response = api("operations").post(IMPORT_URL, upload(content, "a.xlsx"), format="multipart")

    assert response.json()["duplicates"] == ["APIX"] and response.json()["created"] == []


def test_a_role_without_the_import_permission_gets_403(api):
    response = api("warehouse").post(IMPORT_URL, upload(csv_bytes(order_rows("W1")), "a.csv"), format="multipart")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Order.objects.count() == 0


def test_an_unreadable_file_gets_400_with_the_reason(api):
    response = api("customer_service").post(IMPORT_URL, upload(b"channel,sku\r\ntaobao,X\r\n", "a.csv"),
                                            format="multipart")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_file_invalid"
    assert "customer_phone" in error["details"]["missing_columns"]


def test_a_request_without_a_file_gets_400(api):
    response = api("customer_service").post(IMPORT_URL, {}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]


@pytest.mark.parametrize(("fmt", "content_type", "magic"), [
    ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
])
def test_the_template_downloads_as_a_named_file(api, fmt, content_type, magic):
    response = api("customer_service").get(TEMPLATE_URL, {"format": fmt, "lang": "en"})

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="order-import-template-en.{fmt}"'
    assert response.content.startswith(magic)


def test_the_downloaded_template_can_be_uploaded_as_it_is(api):
    template = api("customer_service").get(TEMPLATE_URL, {"format": "xlsx", "lang": "zh"}).content

    response = api("customer_service").post(IMPORT_URL, upload(template, "template.xlsx"), format="multipart")

    assert response.json()["errors"] == [] and len(response.json()["created"]) == 1


def test_an_unknown_template_format_or_language_gets_400(api):
    response = api("customer_service").get(TEMPLATE_URL, {"format": "pdf", "lang": "fr"})

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"format", "lang"}


def test_the_template_needs_the_import_permission(api):
    assert api("warehouse").get(TEMPLATE_URL).status_code == 403
    assert api(None).get(TEMPLATE_URL).status_code == 401


def test_the_import_operations_are_in_the_openapi_schema(api):
    schema = api(None).get("/api/schema/", {"format": "json"}).json()

    assert schema["paths"]["/api/v1/orders/import"]["post"]["operationId"] == "orders_import"
    assert schema["paths"]["/api/v1/orders/import-template"]["get"]["operationId"] == "orders_import_template"
