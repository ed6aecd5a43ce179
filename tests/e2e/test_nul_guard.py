def test_a_nul_character_in_a_query_parameter_is_a_400_naming_the_parameter(api):
    response = api("customer_service").get("/api/v1/stock", {"sku": "A\x00B"})

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["sku"]


def test_pages_refuse_nul_characters_too(client):
    assert client.get("/orders/", {"q": "\x00"}).status_code == 400


def test_a_nul_character_in_a_json_body_or_a_path_is_a_400_not_a_server_error(api):
    client = api("logistics")
    body = client.post("/api/v1/handover-lists", {"carrier": "z\x00to", "warehouse": "hz"}, format="json")
    assert body.status_code == 400 and list(body.json()["error"]["details"]) == ["carrier"]
    path = client.get("/api/v1/handover-lists/HO%00X")
    assert path.status_code == 400 and list(path.json()["error"]["details"]) == ["path"]


def test_a_nul_character_in_a_multipart_field_is_a_400_naming_the_field(api):
    response = api("logistics").post("/api/v1/carrier-rules", {"name": "x", "excluded_carriers": ["a\x00b"]},
                                     format="multipart")
    assert response.status_code == 400 and list(response.json()["error"]["details"]) == ["excluded_carriers"]
