def test_a_nul_character_in_a_query_parameter_is_a_400_naming_the_parameter(api):
    response = api("customer_service").get("/api/v1/stock", {"sku": "A\x00B"})

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["sku"]


def test_pages_refuse_nul_characters_too(client):
    assert client.get("/orders/", {"q": "\x00"}).status_code == 400
