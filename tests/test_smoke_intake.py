def test_pushing_the_example_order_creates_it(api, order_payload):
    response = api("integration").post("/api/v1/orders", order_payload(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending_review"
