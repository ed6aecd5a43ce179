"""SKU files: import by code (CSV and XLSX, Chinese or English headers), row errors, export round trip."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from oms.audit.models import AuditEvent
from oms.cli import main
from oms.core.errors import Conflict, PermissionDenied
from oms.inventory import sku_files
from oms.inventory.catalogue import SkuFields, create_sku
from oms.inventory.models import Sku
from oms.inventory.sku_files import SkuFileInvalid, export_skus, import_skus

EN_CSV = """code,name,spec,barcode,weight_g,length_mm,width_mm,height_mm,fragile,low_stock_threshold,active
TSHIRT-RED-M,纯棉T恤,红色/M,6901234567892,200,300,250,20,no,10,yes
MUG-WHITE-350,陶瓷马克杯,白色/350ml,,380,120,90,100,yes,5,yes
"""
ZH_CSV = """SKU编码,商品名称,规格,条码,重量(克),长(毫米),宽(毫米),高(毫米),易碎,低库存阈值,启用
TSHIRT-RED-M,纯棉T恤,红色/M,6901234567892,200,300,250,20,否,10,是
MUG-WHITE-350,陶瓷马克杯,白色/350ml,,380,120,90,100,是,5,是
"""


def run(content, actor, name="skus.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return import_skus(fileobj=io.BytesIO(content), filename=name, actor=actor)


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stored() -> dict:
    return {s.code: SkuFields(**{f: getattr(s, f) for f in sku_files.SKU_FIELDS}) for s in Sku.objects.all()}


@pytest.mark.parametrize("content", [EN_CSV, ZH_CSV], ids=["english", "chinese"])
def test_a_csv_with_either_headers_creates_its_skus(actor, content):
    report = run(content, actor("operations"))

    assert report.created == ["TSHIRT-RED-M", "MUG-WHITE-350"]
    assert report.errors == []
    mug = Sku.objects.get(code="MUG-WHITE-350")
    assert (mug.name, mug.spec, mug.weight_g, mug.height_mm, mug.fragile, mug.low_stock_threshold, mug.active) == (
        "陶瓷马克杯", "白色/350ml", 380, 100, True, 5, True)
    assert Sku.objects.get(code="TSHIRT-RED-M").barcode == "6901234567892"
    events = AuditEvent.objects.filter(action="sku_created")
    assert {e.data["sku"] for e in events} == {"TSHIRT-RED-M", "MUG-WHITE-350"}
    assert all(e.data["via"] == "import" and e.data["file"] == "skus.csv" for e in events)


def test_an_xlsx_with_chinese_headers_and_numbers_typed_as_numbers_is_read(actor):
    content = xlsx([
        # full-width brackets, as Chinese keyboards type them
        ["SKU编码", "商品名称", "规格", "条码", "重量（克）", "易碎", "启用"],
        [10001, "帆布包", "米色", 6901234567892, 450.0, False, True],
    ])

    report = run(content, actor("operations"), name="商品.xlsx")

    assert report.created == ["10001"]
    bag = Sku.objects.get(code="10001")
    assert (bag.barcode, bag.weight_g, bag.fragile, bag.active) == ("6901234567892", 450, False, True)


def test_importing_the_same_file_again_changes_and_records_nothing(actor):
    run(ZH_CSV, actor("operations"))
    before = (stored(), AuditEvent.objects.count(), list(Sku.objects.values_list("updated_at", flat=True)))

    report = run(ZH_CSV, actor("operations"))

    assert (report.created, report.updated, report.unchanged) == ([], [], ["TSHIRT-RED-M", "MUG-WHITE-350"])
    assert (stored(), AuditEvent.objects.count(), list(Sku.objects.values_list("updated_at", flat=True))) == before


def test_known_codes_are_updated_and_the_change_is_audited(actor):
    run(EN_CSV, actor("operations"))

    report = run(EN_CSV.replace(",380,120,", ",400,120,"), actor("operations"))

    assert report.updated == ["MUG-WHITE-350"] and report.unchanged == ["TSHIRT-RED-M"]
    assert Sku.objects.get(code="MUG-WHITE-350").weight_g == 400
    assert AuditEvent.objects.get(action="sku_updated").changes == {"weight_g": [380, 400]}


def test_columns_missing_from_the_file_keep_their_values(actor):
    run(EN_CSV, actor("operations"))

    report = run("code,name,low_stock_threshold\nMUG-WHITE-350,陶瓷马克杯,8\n", actor("operations"))

    assert report.updated == ["MUG-WHITE-350"]
    mug = Sku.objects.get(code="MUG-WHITE-350")
    assert (mug.low_stock_threshold, mug.weight_g, mug.fragile, mug.spec) == (8, 380, True, "白色/350ml")


def test_bad_rows_are_reported_by_row_column_and_reason_and_the_good_ones_are_saved(actor):
    content = ZH_CSV + (
        "BAD-1,坏数据,,,-5,1.5,0,0,也许,0,是\n"  # row 4: weight, length, fragile
        ",没有编码,,,0,0,0,0,否,0,是\n"  # row 5: code
        "BAD-2,,,,0,0,0,0,否,0,是\n"  # row 6: name
        "BAD-3,太重,,,2000000,0,0,0,否,0,是\n"  # row 7: weight over the limit
    )

    report = run(content, actor("operations"))

    assert report.created == ["TSHIRT-RED-M", "MUG-WHITE-350"]
    found = {(e.row, e.column) for e in report.errors}
    assert found == {(4, "重量(克)"), (4, "长(毫米)"), (4, "易碎"), (5, "SKU编码"), (6, "商品名称"), (7, "重量(克)")}
    assert all(e.message for e in report.errors)
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)
    assert report.rejected == 4
    assert not Sku.objects.filter(code__startswith="BAD").exists()


def test_a_code_on_two_rows_is_refused_on_both(actor):
    content = EN_CSV + "MUG-WHITE-350,另一个杯子,,,1,1,1,1,no,0,yes\n"

    report = run(content, actor("operations"))

    assert report.created == ["TSHIRT-RED-M"]
    assert {(e.row, e.column) for e in report.errors} == {(3, "code"), (4, "code")}
    assert "4" in report.errors[0].message


def test_a_failed_row_leaves_the_existing_sku_as_it_was(actor):
    run(EN_CSV, actor("operations"))

    report = run(EN_CSV.replace(",380,120,", ",heavy,120,").replace("陶瓷马克杯", "改名的杯子"), actor("operations"))

    assert [(e.row, e.column) for e in report.errors] == [(3, "weight_g")]
    assert Sku.objects.get(code="MUG-WHITE-350").name == "陶瓷马克杯"


@pytest.mark.parametrize(("content", "name", "words"), [
    (b"", "skus.csv", "empty"),
    (b"just,some,words\n1,2,3\n", "skus.csv", "header"),
    (b"name,spec\nx,y\n", "skus.csv", "lacks required columns"),
    (b"code,name,code\nA,B,C\n", "skus.csv", "more than once"),
    (b"code,name\n", "skus.csv", "no SKU rows"),
    (b"code,name\nA,B\n", "skus.pdf", "Unsupported"),
    (b"\xff\xfe\x00garbage", "skus.xlsx", "not a readable"),
])
def test_a_file_that_cannot_be_read_is_refused_whole(actor, content, name, words, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(SkuFileInvalid) as err:
        run(content, actor("operations"), name=name)
    assert words in err.value.message
    assert not Sku.objects.exists()


def test_only_catalogue_managers_may_import(actor):
    with pytest.raises(PermissionDenied):
        run(EN_CSV, actor("warehouse"))


def test_a_sku_created_meanwhile_makes_the_import_fail_whole(actor, monkeypatch):
    create_sku(code="MUG-WHITE-350", values=SkuFields(name="抢先"), actor=actor("operations"))
    # As if another import created it after our lookup: the lookup finds nothing.
    monkeypatch.setattr(Sku.objects, "select_for_update", lambda: Sku.objects.none())

    with pytest.raises(Conflict):
        run(EN_CSV, actor("operations"))

    assert list(Sku.objects.values_list("code", "name")) == [("MUG-WHITE-350", "抢先")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_export_imports_again_as_no_change(actor, fmt, lang):
    run(ZH_CSV, actor("operations"))
    create_sku(code="=SUM(A1)", values=SkuFields(name="-公式样-", spec="@home", barcode="00123"),
               actor=actor("operations"))
    create_sku(code="OLD-1", values=SkuFields(name="停产", active=False), actor=actor("operations"))
    before = stored()

    content = export_skus(fmt=fmt, lang=lang)
    Sku.objects.all().delete()
    created = run(content, actor("operations"), name=f"skus.{fmt}")
    again = run(content, actor("operations"), name=f"skus.{fmt}")

    assert created.errors == [] and len(created.created) == 4
    assert stored() == before
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 4


def test_the_exported_workbook_keeps_formula_like_text_as_text(actor):
    create_sku(code="=1+1", values=SkuFields(name="=HYPERLINK(\"x\")"), actor=actor("operations"))

    sheet = load_workbook(io.BytesIO(export_skus(fmt="xlsx", lang="en"))).active

    assert [c.value for c in sheet[1]][:2] == ["code", "name"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=1+1"


def test_the_exported_csv_guards_formula_like_text(actor):
    create_sku(code="=1+1", values=SkuFields(name="杯"), actor=actor("operations"))

    text = export_skus(fmt="csv", lang="zh").decode("utf-8-sig")

    assert text.splitlines()[0].startswith("SKU编码,商品名称,规格")
    assert text.splitlines()[1].startswith("'=1+1,杯")


def test_a_template_is_the_header_row_alone():
    text = export_skus(fmt="csv", lang="en", template=True).decode("utf-8-sig")
    assert text.strip() == ",".join(c.key for c in sku_files.COLUMNS)


def test_the_command_line_imports_and_exports(actor, users, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OMS_LANGUAGE", "en")
    source = tmp_path / "skus.csv"
    source.write_text(EN_CSV + "BAD,,,,,,,,,,\n", encoding="utf-8")

    assert main(["skus", "import", str(source), "--user", "operations"]) == 1
    out = capsys.readouterr().out
    assert "2 SKUs created" in out and "row 4, column name" in out

    target = tmp_path / "out.xlsx"
    assert main(["skus", "export", str(target)]) == 0
    assert "2 SKUs written" in capsys.readouterr().out
    assert load_workbook(target).active["A1"].value == "code"


@pytest.mark.parametrize("argv", [
    ["skus", "import", "/nonexistent/skus.csv", "--user", "operations"],
    ["skus", "import", "{csv}", "--user", "nobody"],
    ["skus", "import", "{csv}", "--user", "warehouse"],
    ["skus", "export", "{dir}/skus.pdf"],
])
def test_command_line_problems_are_one_line_and_a_non_zero_exit(users, tmp_path, capsys, argv):
    source = tmp_path / "skus.csv"
    source.write_text(EN_CSV, encoding="utf-8")
    argv = [a.format(csv=source, dir=tmp_path) for a in argv]

    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("oms: error:") and err.count("\n") == 1
    assert not Sku.objects.exists()
