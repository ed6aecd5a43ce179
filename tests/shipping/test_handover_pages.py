"""Hand-over pages and API through HTTP: open a list, scan parcels, print, hand over."""

import pytest
from django.test import Client

from oms.shipping.models import HandoverList
from tests.fulfillment.conftest import network, push  # noqa: F401  (fixtures)

from .test_handover import packed  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("network")


@pytest.fixture
def keeper(users):
    client = Client()
    client.force_login(users["warehouse"])
    return client


def test_the_hand_over_page_opens_a_list_refuses_a_bad_number_scans_prints_and_hands_over(packed, keeper):  # noqa: F811
    order, package = packed(("TEE", 1))
    start = keeper.get("/handover/").content.decode()
    assert 'id="waiting"' in start and "中通快递" in start

    opened = keeper.post("/handover/", {"warehouse": "hz", "carrier": "zto"})
    assert opened.status_code == 302
    url = opened.url
    number = HandoverList.objects.get().number
    assert url == f"/handover/{number}/"

    refused = keeper.post(url, {"code": package, "tracking_no": "SF123"})
    assert refused.status_code == 422 and "scan-error" in refused.content.decode()
    assert 'value="SF123"' in refused.content.decode()  # what was typed stays in the form
    added = keeper.post(url, {"code": package, "tracking_no": "731234567890"})
    assert added.status_code == 200 and "731234567890" in added.content.decode()

    pdf = keeper.get(f"/handover/{number}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    done = keeper.post(url, {"hand_over": "1", "courier_name": "李师傅"})
    assert done.status_code == 302
    page = keeper.get(url).content.decode()
    assert "李师傅" in page and 'id="hand-over"' not in page
    order.refresh_from_db()
    assert order.status == "shipped"


def test_the_hand_over_api_runs_the_same_flow_with_clear_errors(packed, api):  # noqa: F811
    order, package = packed(("MUG", 1))
    client = api("warehouse")
    created = client.post("/api/v1/handover-lists", {"carrier": "zto", "warehouse": "hz"}, format="json")
    assert created.status_code == 201
    number = created.json()["number"]

    missing = client.post(f"/api/v1/handover-lists/{number}/packages", {"tracking_no": "731234567890"},
                          format="json")
    assert missing.status_code == 400 and list(missing.json()["error"]["details"]) == ["code"]
    manual = client.post(f"/api/v1/handover-lists/{number}/packages", {"code": package}, format="json")
    assert manual.status_code == 422 and manual.json()["error"]["code"] == "tracking_number_required"
    ok = client.post(f"/api/v1/handover-lists/{number}/packages", {"code": package, "tracking_no": "731234567899"},
                     format="json")
    assert ok.status_code == 200 and ok.json()["parcels"] == 1
    assert ok.json()["packages"][0]["tracking_no"] == "731234567899"

    shipped = client.post(f"/api/v1/handover-lists/{number}/hand-over", {"courier_name": "王"}, format="json")
    assert shipped.status_code == 200 and shipped.json()["status"] == "handed_over"
    again = client.post(f"/api/v1/handover-lists/{number}/hand-over", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "handover_closed"
    listed = client.get("/api/v1/handover-lists?status=handed_over").json()["results"]
    assert [h["number"] for h in listed] == [number] and listed[0]["parcels"] == 1
    assert client.get("/api/v1/handover-lists/NOPE").status_code == 404
