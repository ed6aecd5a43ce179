"""Printed pick lists and labels: real PDFs whose Chinese text renders (checked by rasterising them)."""

import os

import pypdfium2
import pytest

from oms.fulfillment.documents.fonts import font_path
from oms.fulfillment.documents.labels_pdf import mask_phone
from oms.inventory.models import Bin, Sku, SkuLocation

from .conftest import receive

pytestmark = pytest.mark.usefixtures("network")

if font_path() is None:
    if os.environ.get("OMS_REQUIRE_CJK_FONT") == "1":
        pytest.fail("a CJK font (Debian package fonts-wqy-zenhei) is required here", pytrace=False)
    pytest.skip("no CJK font: install Debian's fonts-wqy-zenhei to print Chinese", allow_module_level=True)


@pytest.fixture
def picked(push, actor, network):
    Bin.objects.create(warehouse=network["hz"], code="A01-02-1", aisle=1, bay=2, level=1)
    SkuLocation.objects.create(sku=Sku.objects.get(code="TEE"), warehouse=network["hz"],
                               bin=Bin.objects.get(code="A01-02-1"))
    receive(actor, "TEE", "hz", 10)
    return push(("TEE", 2))


def pages(pdf: bytes) -> list[tuple[str, float]]:
    """(extracted text, share of dark pixels) of each page."""
    doc = pypdfium2.PdfDocument(pdf)
    result = []
    for page in doc:
        text = page.get_textpage().get_text_range()
        image = page.render(scale=1).to_pil().convert("L")
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        result.append((text, dark))
    return result


def test_a_pick_list_prints_as_an_a4_pdf_with_its_chinese_text_rendered(picked, api):
    number = api("warehouse").post("/api/v1/pick-lists", {"warehouse": "hz"}, format="json").json()["number"]

    response = api("warehouse").get(f"/api/v1/pick-lists/{number}/pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    doc = pypdfium2.PdfDocument(response.content)
    width, height = doc[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    [(text, dark)] = pages(response.content)
    assert "拣货单" in text and "纯棉T恤" in text and "A01-02-1" in text and number in text
    assert dark > 0.01  # the text and barcodes are drawn, not blank boxes


def test_labels_print_one_100_by_150_mm_page_per_package_and_are_in_the_timeline(picked, api):
    package = picked.packages.get().number

    response = api("warehouse").post("/api/v1/labels", {"packages": [package, package]}, format="json")

    assert response.status_code == 200
    printed = pages(response.content)
    assert len(printed) == 2
    width, height = pypdfium2.PdfDocument(response.content)[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (100, 150)
    text, dark = printed[0]
    assert "张三" in text and "浙江省杭州市西湖区文三路100号" in text.replace("\r\n", "").replace("\n", "")
    assert "138****8000" in text and "13800138000" not in text
    assert "杭州仓" in text and package in text and dark > 0.02
    assert picked.events.filter(action="label_printed", data__package=package).count() == 2


def test_printing_labels_of_unknown_packages_names_them(api):
    response = api("warehouse").post("/api/v1/labels", {"packages": ["NOPE-1"]}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["details"] == {"packages": ["NOPE-1"]}
    assert api("warehouse").post("/api/v1/labels", {"packages": []}, format="json").status_code == 400
    assert api("customer_service").post("/api/v1/labels", {"packages": ["X"]}, format="json").status_code == 403


def test_without_a_cjk_font_printing_fails_with_a_clear_error(picked, api, monkeypatch):
    monkeypatch.setenv("OMS_CJK_FONT", "/nonexistent/font.ttc")

    response = api("warehouse").post("/api/v1/labels", {"packages": [picked.packages.get().number]}, format="json")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "cjk_font_missing"
    assert "fonts-wqy-zenhei" in response.json()["error"]["message"]


def test_phone_numbers_on_labels_are_masked():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("0571-8888") == "057****8888"
