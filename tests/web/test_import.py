"""The import page: upload, the result summary with row errors, and template downloads."""

import html

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.orders.importing.template import template_bytes
from oms.orders.models import Order
from oms.web.views import importing as import_views

IMPORT = "/orders/import/"


def upload(client, content: bytes, name: str = "orders.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def test_the_import_page_offers_templates_in_both_languages(client_for):
    body = client_for("operations").get(IMPORT).content.decode()
    for fmt in ("csv", "xlsx"):
        for lang in ("zh", "en"):
            assert f"/orders/import/template.{fmt}?lang={lang}" in body


def test_importing_the_filled_template_creates_its_orders_and_links_them(client_for):
    response = upload(client_for("customer_service"), template_bytes("csv", "en"))
    assert response.status_code == 200
    order = Order.objects.get()
    body = response.content.decode()
    assert reverse("web:order_detail", args=[order.order_no]) in body


def test_importing_again_reports_duplicates(client_for):
    client = client_for("customer_service")
    upload(client, template_bytes("csv", "en"))
    body = upload(client, template_bytes("csv", "en")).content.decode()
    assert "TB202611260001" in body
    assert Order.objects.count() == 1


def test_row_errors_are_listed_with_row_column_and_reason(client_for):
    text = template_bytes("csv", "en").decode("utf-8-sig").replace(",2,59.00,", ",zero,59.00,")
    response = upload(client_for("customer_service"), text.encode())
    assert Order.objects.count() == 0
    report = response.context["report"]
    assert report.errors
    body = html.unescape(response.content.decode())
    first = report.errors[0]
    assert f'<td class="num">{first.row}</td><td>{first.column}</td>' in body


def test_a_file_the_service_cannot_read_shows_its_message(client_for):
    response = upload(client_for("customer_service"), b"\x00\x01garbage", name="orders.pdf")
    assert response.status_code >= 400
    assert 'class="alert alert-error"' in response.content.decode()
    assert Order.objects.count() == 0


def test_the_page_still_works_while_the_import_service_is_missing(client_for, monkeypatch):
    def missing():
        raise ImportError("oms.orders.importing.services")

    monkeypatch.setattr(import_views, "load_import_service", missing)
    response = upload(client_for("customer_service"), b"x")
    assert response.status_code == 503
    assert "not available yet" in response.content.decode()


def test_template_downloads_are_attachments_in_the_asked_language(client_for):
    client = client_for("operations")
    csv = client.get("/orders/import/template.csv?lang=en")
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert 'filename="order-import-template-en.csv"' in csv["Content-Disposition"]
    assert csv.content == template_bytes("csv", "en")
    xlsx = client.get("/orders/import/template.xlsx?lang=zh")
    assert xlsx.content[:2] == b"PK"


def test_an_unknown_template_format_is_not_found(client_for):
    assert client_for("operations").get("/orders/import/template.pdf").status_code == 404


def test_roles_without_import_permission_get_403(client_for):
    assert client_for("finance").get(IMPORT).status_code == 403
    assert client_for("finance").get("/orders/import/template.csv").status_code == 403
