"""Personal data at rest: the encrypted field, its keys and their rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection

from oms.accounts.actor import Actor
from oms.core import pii_crypto
from oms.orders.key_rotation import rotate_personal_data
from oms.orders.models import Order
from oms.orders.personal_data import ENCRYPTED_FIELDS, phone_hash
from tests.orders.personal_data_fixtures import make_order

pytestmark = pytest.mark.django_db


def raw_columns(order_id: int, *columns: str) -> dict[str, str]:
    """The values as stored, read past the model with a plain cursor."""
    table = connection.ops.quote_name(Order._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table} "
                       "WHERE id = %s", [order_id])
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_personal_fields_read_back_in_plain_and_the_columns_hold_no_plaintext():
    order = make_order(phone="13800138000", name="张小明", detail="文三路100号", email="zxm@example.cn")

    fresh = Order.objects.get(pk=order.pk)
    stored = raw_columns(order.pk, *ENCRYPTED_FIELDS, "ship_phone_hash")

    assert (fresh.customer_name, fresh.customer_phone, fresh.customer_email, fresh.ship_name, fresh.ship_phone,
            fresh.ship_detail) == ("张小明", "13800138000", "zxm@example.cn", "张小明", "13800138000", "文三路100号")
    for field in ENCRYPTED_FIELDS:
        assert stored[field].startswith("gAAAAA"), field
    joined = " ".join(stored.values())
    for plain in ("13800138000", "8000", "张小明", "文三路", "zxm@"):
        assert plain not in joined
    assert stored["ship_phone_hash"] == phone_hash("+86 138-0013-8000") != ""


def test_two_orders_with_the_same_phone_store_different_ciphertexts():
    a, b = make_order(phone="13800138000"), make_order(phone="13800138000")

    assert raw_columns(a.pk, "ship_phone")["ship_phone"] != raw_columns(b.pk, "ship_phone")["ship_phone"]


def test_a_filter_on_an_encrypted_column_is_refused_instead_of_matching_nothing():
    with pytest.raises(FieldError, match="encrypted"):
        Order.objects.filter(ship_phone="13800138000").exists()


def test_saving_a_few_fields_keeps_the_search_hash_in_step():
    order = make_order(phone="13800138000")

    order.ship_phone = "13900139000"
    order.save(update_fields=["ship_phone"])

    assert raw_columns(order.pk, "ship_phone_hash")["ship_phone_hash"] == phone_hash("13900139000")


def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_still_decrypts_before(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.OMS_PII_KEYS, settings.OMS_PII_HASH_KEY = [old], "hash-key-for-the-test"
    order = make_order(phone="13800138000", detail="文三路100号")
    before = raw_columns(order.pk, "ship_phone")["ship_phone"]

    settings.OMS_PII_KEYS = [new, old]  # the new key first, the old one kept to decrypt
    assert Order.objects.get(pk=order.pk).ship_phone == "13800138000"
    rotated = rotate_personal_data(actor=Actor.system(), batch_size=1)
    after = raw_columns(order.pk, "ship_phone")["ship_phone"]

    assert rotated == Order.objects.count()
    assert after != before
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == "13800138000"
    settings.OMS_PII_KEYS = [new]  # the old key can now go
    assert Order.objects.get(pk=order.pk).ship_detail == "文三路100号"


def test_without_the_key_that_encrypted_a_value_reading_it_fails_loudly(settings):
    settings.OMS_PII_KEYS, settings.OMS_PII_HASH_KEY = [Fernet.generate_key().decode()], "k"
    order = make_order(phone="13800138000")
    settings.OMS_PII_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(ImproperlyConfigured, match="OMS_PII_KEYS"):
        Order.objects.get(pk=order.pk)


def test_configured_keys_need_a_configured_hash_key(settings):
    settings.OMS_PII_KEYS, settings.OMS_PII_HASH_KEY = [Fernet.generate_key().decode()], ""

    with pytest.raises(ImproperlyConfigured, match="OMS_PII_HASH_KEY"):
        pii_crypto.keyed_hash("13800138000")


def test_embedded_mode_generates_one_key_file_in_the_data_folder(settings, tmp_path):
    settings.OMS_PII_KEYS, settings.OMS_PII_HASH_KEY, settings.DATA_DIR = [], "", tmp_path

    token = pii_crypto.encrypt("13800138000")

    key_file = tmp_path / "pii_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert Fernet(key_file.read_bytes()).decrypt(token.encode()) == b"13800138000"
    assert pii_crypto.keyed_hash("13800138000") == pii_crypto.keyed_hash("13800138000") != ""


def test_the_rotate_command_prints_how_many_orders_it_re_encrypted(capsys):
    make_order(phone="13800138000")
    make_order(phone="13900139000")

    from oms.cli import main

    assert main(["pii", "rotate", "--batch-size", "1"]) == 0
    assert capsys.readouterr().out.strip() == "re-encrypted the personal data of 2 orders with the newest key"
