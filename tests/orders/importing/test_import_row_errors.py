"""Invalid rows are reported with the spreadsheet row number and the column as the file names it."""

from oms.orders.importing.report import RowError
from oms.orders.models import Order
from tests.orders.importing.import_builders import csv_bytes, order_rows, xlsx_bytes


def only_error(report) -> RowError:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def test_a_bad_quantity_names_its_row_and_column(importer):
    rows = order_rows("Q1", lines=3)
    rows[1]["quantity"] = "two"

    report = importer(csv_bytes(rows))

    error = only_error(report)
    assert (error.row, error.column) == (3, "quantity")
    assert "whole number" in error.message
    assert report.created == [] and Order.objects.count() == 0


def test_a_missing_customer_phone_is_reported_on_the_orders_first_row_with_the_chinese_header(importer):
    rows = order_rows("P1", customer_phone="")

    report = importer(csv_bytes(rows, lang="zh"))

    error = only_error(report)
    assert (error.row, error.column) == (2, "客户电话")


def test_a_price_with_three_decimals_is_refused_in_csv(importer):
    rows = order_rows("M1")
    rows[0]["unit_price"] = "59.999"

    error = only_error(importer(csv_bytes(rows)))

    assert (error.row, error.column) == (2, "unit_price")
    assert "two places" in error.message


def test_a_float_ish_spreadsheet_number_with_three_decimals_is_refused(importer):
    rows = order_rows("M2")
    rows[1]["unit_price"] = 39.905

    error = only_error(importer(xlsx_bytes(rows), filename="orders.xlsx"))

    assert (error.row, error.column) == (3, "unit_price")


def test_amounts_that_do_not_add_up_are_reported_on_the_paid_amount_column(importer):
    rows = order_rows("T1", paid_amount="100.00")

    error = only_error(importer(csv_bytes(rows, lang="zh")))

    assert (error.row, error.column) == (2, "实付金额")
    assert "157.90" in error.message  # what it should have been


def test_discounts_above_the_goods_total_are_reported_on_the_discount_column(importer):
    rows = order_rows("T2", coupon_discount="", promotion_discount="500.00", paid_amount="0.00",
                      payment_status="unpaid")

    report = importer(csv_bytes(rows))

    assert (2, "promotion_discount") in {(e.row, e.column) for e in report.errors}


def test_rows_of_one_order_that_disagree_on_an_order_column_are_reported(importer):
    rows = order_rows("C1", lines=3)
    rows[2]["recipient_phone"] = "13900139000"

    error = only_error(importer(csv_bytes(rows)))

    assert (error.row, error.column) == (4, "recipient_phone")
    assert "row 2" in error.message
    assert Order.objects.count() == 0


def test_order_columns_left_blank_on_later_rows_take_the_orders_value(importer):
    rows = order_rows("B1", lines=3)
    for row in rows[1:]:
        for key in ("placed_at", "customer_name", "customer_phone", "paid_amount", "shipping_fee"):
            row[key] = ""

    report = importer(csv_bytes(rows))

    assert report.errors == [] and len(report.created) == 1


def test_every_bad_field_of_an_order_is_reported_at_once(importer):
    rows = order_rows("E1", lines=2, channel="nowhere", customer_email="not-an-email")
    rows[1]["sku"] = ""

    report = importer(csv_bytes(rows))

    assert {(e.row, e.column) for e in report.errors} == {(2, "channel"), (2, "customer_email"), (3, "sku")}


def test_an_unreadable_time_is_reported_once_with_the_accepted_forms(importer):
    rows = order_rows("D1", placed_at="next tuesday")

    error = only_error(importer(csv_bytes(rows)))

    assert (error.row, error.column) == (2, "placed_at")
    assert "2026-11-26 10:15:00" in error.message


def test_a_row_without_external_id_is_rejected_on_its_own(importer):
    rows = order_rows("X1") + order_rows("")

    report = importer(csv_bytes(rows))

    assert len(report.created) == 1
    assert {(e.row, e.column) for e in report.errors} == {(4, "external_id"), (5, "external_id")}
    assert report.orders_in_file == 3 and report.rejected == 2


def test_an_unknown_payment_method_lists_the_accepted_codes(importer):
    rows = order_rows("U1", payment_method="信用卡支付")

    error = only_error(importer(csv_bytes(rows, lang="zh")))

    assert error.column == "支付方式"
    assert "alipay" in error.message
