"""SKU catalogue files: import (create or update by code) and export, as CSV or XLSX.

Columns: code, name, spec, barcode, weight_g, length_mm, width_mm, height_mm, fragile,
low_stock_threshold, active. English headers are the keys; Chinese headers are data (what
Chinese spreadsheets say), so either language is read whatever the interface language.

Import rules, chosen to match the order import:
- Valid rows only: every valid row is applied, every invalid row is reported (row number,
  column, reason) and changes nothing. A row is applied whole or not at all.
- A code on more than one row is refused on each of those rows (which one was meant?).
- Only the columns in the header are changed: a missing column keeps an existing SKU's value
  (new SKUs get the default). An empty cell means empty text, 0, "not fragile", "active".
- Rows equal to the stored SKU change nothing and record nothing, so importing the same
  file again (or an export) is a no-op.
- One transaction for the file; a SKU created by someone else meanwhile makes the whole
  import fail with a conflict, and importing again is safe.
Export writes the same columns (all of them) with the headers in the chosen language, so an
exported file can be edited and imported again.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from enum import Enum
from pathlib import Path, PurePath

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_CATALOGUE
from oms.audit.models import AuditEvent
from oms.audit.services import build_event, diff
from oms.core.errors import Conflict, NotFound, ValidationFailed
from oms.inventory.catalogue import SKU_FIELDS, SkuFields, check_sku_code, check_sku_fields, sku_fields
from oms.inventory.models import Sku

FORMATS = ("csv", "xlsx")
LANGUAGES = ("zh", "en")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER_SEARCH_ROWS = 10  # a title or note above the header row is tolerated
MAX_ROWS = 50_000
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
BATCH = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets would run as a formula


class Kind(Enum):
    TEXT = "text"
    COUNT = "count"
    FLAG = "flag"


@dataclass(frozen=True)
class Column:
    key: str  # also the English header and the SkuFields name ("code" aside)
    zh: str  # the Chinese header written on export
    kind: Kind = Kind.TEXT
    required: bool = False  # the header row must have it
    aliases: tuple[str, ...] = ()  # other headers read as this column (either language)


COLUMNS: tuple[Column, ...] = (
    Column("code", "SKU编码", required=True, aliases=("SKU", "sku code", "商品编码", "编码", "SKU代码")),
    Column("name", "商品名称", required=True, aliases=("名称", "品名")),
    Column("spec", "规格", aliases=("specification", "规格型号")),
    Column("barcode", "条码", aliases=("条形码", "商品条码")),
    Column("weight_g", "重量(克)", Kind.COUNT, aliases=("weight", "重量", "重量(g)", "单件重量(克)")),
    Column("length_mm", "长(毫米)", Kind.COUNT, aliases=("length", "长", "长度", "长(mm)", "长度(毫米)")),
    Column("width_mm", "宽(毫米)", Kind.COUNT, aliases=("width", "宽", "宽度", "宽(mm)", "宽度(毫米)")),
    Column("height_mm", "高(毫米)", Kind.COUNT, aliases=("height", "高", "高度", "高(mm)", "高度(毫米)")),
    Column("fragile", "易碎品", Kind.FLAG, aliases=("易碎", "是否易碎")),
    Column("low_stock_threshold", "库存预警值", Kind.COUNT,
           aliases=("low stock threshold", "低库存阈值", "预警库存", "安全库存")),
    Column("active", "启用", Kind.FLAG, aliases=("是否启用", "状态")),
)
BY_KEY = {c.key: c for c in COLUMNS}

_TRUE = {"1", "true", "yes", "y", "t", "是", "启用", "有效", "√", "✓"}
_FALSE = {"0", "false", "no", "n", "f", "否", "停用", "禁用", "无效", "×", "✗"}
_FLAG_TEXT = {"zh": ("是", "否"), "en": ("yes", "no")}
_DEFAULTS = SkuFields(name="")


class SkuFileInvalid(ValidationFailed):
    """The file as a whole cannot be imported (type, size, encoding, header); no row was looked at."""

    code = "sku_file_invalid"
    default_message = gettext_lazy("The file cannot be imported.")


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number as a person sees it (the header is row 1)
    column: str  # header text as written in the file; "" for a problem with the whole row
    message: str


@dataclass
class SkuImportReport:
    rows_in_file: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows not applied because something in them is invalid."""
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "rows_in_file": self.rows_in_file, "created": list(self.created), "updated": list(self.updated),
            "unchanged": len(self.unchanged), "errors": [asdict(e) for e in self.errors],
        }


# --- headers ----------------------------------------------------------------------------------------

def normalise_header(text: object) -> str:
    """Lenient form of a header cell: full-width folded, no BOM, single spaces, case-folded."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text).replace("\ufeff", ""))
    return " ".join(text.split()).casefold()


def _header_table() -> dict[str, str]:
    table = {}
    for c in COLUMNS:
        for name in (c.key, c.key.replace("_", " "), c.zh, *c.aliases):
            table[normalise_header(name)] = c.key
    return table


HEADERS = _header_table()


def header_text(key: str, lang: str) -> str:
    return BY_KEY[key].zh if lang == "zh" else key


@dataclass
class Header:
    row: int
    positions: dict[str, int]  # column key -> 0-based cell index
    texts: dict[str, str]  # column key -> header as written
    duplicates: list[str]

    def text_of(self, key: str) -> str:
        """The column's header as written in the file (the key when the file lacks the column)."""
        return self.texts.get(key, key)


def match_header(cells: list[object], row: int) -> Header | None:
    """Read a row as the header row: None unless at least two cells name known columns."""
    positions, texts, duplicates = {}, {}, []
    for i, cell in enumerate(cells):
        key = HEADERS.get(normalise_header(cell))
        if key is None:
            continue
        if key in positions:
            duplicates.append(str(cell).strip())
            continue
        positions[key] = i
        texts[key] = str(cell).replace("\ufeff", "").strip()
    return Header(row, positions, texts, duplicates) if len(positions) >= 2 else None


# --- reading (the same approach as the order import: oms/orders/importing/reading.py) ---------------

def read_rows(fileobj, filename: str) -> tuple[Header, list[tuple[int, list[object]]]]:
    """The header and the non-blank data rows (spreadsheet row number, cells) of a CSV or XLSX file."""
    data = fileobj.read(settings.OMS_IMPORT_MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > settings.OMS_IMPORT_MAX_BYTES:
        raise SkuFileInvalid(_("The file is larger than %(mb).0f MB; split it into smaller files.")
                             % {"mb": settings.OMS_IMPORT_MAX_BYTES / 1024 / 1024})
    if not data.strip():
        raise SkuFileInvalid(_("The file is empty."))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_rows(data)
    elif suffix in (".csv", ".txt"):
        raw = _csv_rows(data)
    elif suffix == ".xls":
        raise SkuFileInvalid(_("Old-style .xls workbooks are not supported; save the file as .xlsx or .csv."))
    else:
        raise SkuFileInvalid(_("Unsupported file type %(name)s; upload a .csv or .xlsx file.")
                             % {"name": filename or "?"})
    header, rows = None, []
    for number, cells in raw:
        if header is None:
            header = match_header(cells, number)
            if header is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise SkuFileInvalid(_("The file has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ROWS})
        rows.append((number, cells))
    if header is None:
        raise SkuFileInvalid(_("No header row found; the first row must name the columns, for example "
                               "code, name, spec or SKU编码, 商品名称, 规格."))
    if header.duplicates:
        raise SkuFileInvalid(_("These columns appear more than once: %(columns)s.")
                             % {"columns": ", ".join(header.duplicates)},
                             details={"duplicate_columns": header.duplicates})
    missing = [c.key for c in COLUMNS if c.required and c.key not in header.positions]
    if missing:
        names = [f"{c} / {BY_KEY[c].zh}" for c in missing]
        raise SkuFileInvalid(_("The header row lacks required columns: %(columns)s.") % {"columns": ", ".join(names)},
                             details={"missing_columns": missing})
    if not rows:
        raise SkuFileInvalid(_("The file has a header row but no SKU rows."))
    return header, rows


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    if data.startswith(b"PK\x03\x04"):
        raise SkuFileInvalid(_("This file is an Excel workbook; name it .xlsx or save it as CSV."))
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SkuFileInvalid(_("The CSV file is neither UTF-8 nor GB18030 text."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise SkuFileInvalid(_("The CSV file cannot be read near row %(row)d: %(problem)s")
                             % {"row": reader.line_num, "problem": exc}) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise SkuFileInvalid(_("The file is not a readable .xlsx workbook.")) from None
    try:
        for sheet in workbook.worksheets:  # the first sheet with a header row
            if not hasattr(sheet, "iter_rows"):
                continue
            sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            head = []
            for number, cells in rows:
                head.append((number, list(cells)))
                if match_header(list(cells), number) is not None or number >= HEADER_SEARCH_ROWS:
                    break
            if any(match_header(cells, number) for number, cells in head):
                yield from head
                for number, cells in rows:
                    yield number, list(cells)
                return
    finally:
        workbook.close()


# --- cells ------------------------------------------------------------------------------------------

class CellError(Exception):
    pass


def _text_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError(_("Must be text."))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code or barcode Excel stored as a number
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_START:
        text = text[1:]  # the guard our export puts before formula-like text
    return text


def _count_cell(value: object) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        raise CellError(_("Must be a whole number of 0 or more."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    whole, dot, fraction = text.partition(".")
    if whole.isascii() and whole.isdigit() and (not dot or set(fraction) <= {"0"}):
        return int(whole)
    raise CellError(_("Must be a whole number of 0 or more."))


def _flag_cell(value: object, default: bool) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = normalise_header(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("Must be yes or no (是/否, 1/0)."))


def _cell(column: Column, value: object):
    if column.kind is Kind.COUNT:
        return _count_cell(value)
    if column.kind is Kind.FLAG:
        return _flag_cell(value, getattr(_DEFAULTS, column.key))
    return _text_cell(value)


# --- import -----------------------------------------------------------------------------------------

@dataclass
class _Row:
    number: int
    code: str
    values: dict[str, object]  # the header's columns except code, converted


def import_skus(*, fileobj, filename: str, actor: Actor) -> SkuImportReport:
    """Create or update the file's valid SKUs by code; report every invalid row (see the module docstring)."""
    require(actor, MANAGE_CATALOGUE)
    header, raw_rows = read_rows(fileobj, filename)
    report = SkuImportReport(rows_in_file=len(raw_rows))
    rows: list[_Row] = []
    for number, cells in raw_rows:
        row, errors = _convert(header, number, cells)
        report.errors.extend(errors)
        if row is not None:
            rows.append(row)
    rows = _without_repeated_codes(rows, header, report)
    with transaction.atomic():
        _apply(rows, header, report, actor=actor, filename=filename)
    report.errors.sort(key=lambda e: e.row)  # stable: columns stay in file order
    return report


def _convert(header: Header, number: int, cells: list[object]) -> tuple[_Row | None, list[RowError]]:
    errors, values, code = [], {}, ""
    for key, index in header.positions.items():
        raw = cells[index] if index < len(cells) else None
        try:
            value = _cell(BY_KEY[key], raw)
        except CellError as exc:
            errors.append(RowError(number, header.texts[key], str(exc)))
            continue
        if key == "code":
            code = value
        else:
            values[key] = value
    problems: dict[str, list[str]] = {}
    code = check_sku_code(code, problems)
    errors += [RowError(number, header.texts["code"], m) for m in problems.get("code", [])]
    return (None if errors else _Row(number, code, values)), errors


def _without_repeated_codes(rows: list[_Row], header: Header, report: SkuImportReport) -> list[_Row]:
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        numbers[row.code].append(row.number)
    kept = []
    for row in rows:
        if len(numbers[row.code]) == 1:
            kept.append(row)
            continue
        others = ", ".join(str(n) for n in numbers[row.code] if n != row.number)
        report.errors.append(RowError(row.number, header.texts["code"], _(
            "The code %(code)s is also on row %(rows)s; keep one row per SKU.") % {"code": row.code, "rows": others}))
    return kept


def _apply(rows: list[_Row], header: Header, report: SkuImportReport, *, actor: Actor, filename: str) -> None:
    existing: dict[str, Sku] = {}
    codes = [r.code for r in rows]
    for start in range(0, len(codes), BATCH):
        chunk = codes[start:start + BATCH]
        existing.update((s.code, s) for s in Sku.objects.select_for_update().filter(code__in=chunk).order_by("pk"))
    new, changed, events = [], {}, []
    now = timezone.now()
    data = {"via": "import", "file": filename[:200]}
    for row in rows:
        sku = existing.get(row.code)
        values = replace(sku_fields(sku) if sku else _DEFAULTS, **row.values)
        problems: dict[str, list[str]] = {}
        cleaned = check_sku_fields(values, problems)
        if problems:
            report.errors += [RowError(row.number, header.text_of(key), m) for key, ms in problems.items() for m in ms]
            continue
        if sku is None:
            new.append(Sku(code=row.code, **cleaned))
            events.append(build_event(order=None, action="sku_created", actor=actor, at=now,
                                      changes=diff({}, cleaned), data={"sku": row.code, **data}))
            report.created.append(row.code)
            continue
        changes = diff(asdict(sku_fields(sku)), cleaned)
        if not changes:
            report.unchanged.append(row.code)
            continue
        for name in changes:
            setattr(sku, name, cleaned[name])
        sku.updated_at = now
        changed.setdefault(row.code, sku)
        events.append(build_event(order=None, action="sku_updated", actor=actor, at=now, changes=changes,
                                  data={"sku": row.code, **data}))
        report.updated.append(row.code)
    try:
        with transaction.atomic():
            Sku.objects.bulk_create(new, batch_size=BATCH)
    except IntegrityError:
        raise Conflict(_("Someone else added some of these SKUs while the file was being imported; "
                         "nothing was changed. Import the file again.")) from None
    if changed:
        Sku.objects.bulk_update(list(changed.values()), [*SKU_FIELDS, "updated_at"], batch_size=BATCH)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)


# --- export -----------------------------------------------------------------------------------------

def export_filename(fmt: str, *, template: bool = False) -> str:
    return f"sku-import-template.{fmt}" if template else f"skus-{date.today():%Y%m%d}.{fmt}"


def export_skus(*, fmt: str, lang: str, active_only: bool = False, template: bool = False) -> bytes:
    """Every SKU (or only the header row, as a template to fill in) in the import's columns."""
    if fmt not in FORMATS or lang not in LANGUAGES:
        raise ValidationFailed(_("Unknown export format %(fmt)s.") % {"fmt": f"{fmt}/{lang}"})
    rows = iter(()) if template else _export_rows(lang, active_only=active_only)
    return _csv(rows, lang) if fmt == "csv" else _xlsx(rows, lang)


def _export_rows(lang: str, *, active_only: bool) -> Iterator[list[object]]:
    yes, no = _FLAG_TEXT[lang]
    qs = Sku.objects.order_by("code")
    if active_only:
        qs = qs.filter(active=True)
    for sku in qs.iterator(chunk_size=2000):
        row = []
        for c in COLUMNS:
            value = getattr(sku, c.key)
            row.append((yes if value else no) if c.kind is Kind.FLAG else value)
        yield row


def _guard(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (the import takes it off)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(rows: Iterator[list[object]], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header_text(c.key, lang) for c in COLUMNS])
    for row in rows:
        writer.writerow([_guard(v) for v in row])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _xlsx(rows: Iterator[list[object]], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    with translation.override("zh-hans" if lang == "zh" else "en"):
        sheet = workbook.create_sheet(_("SKUs"))
    for i, c in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + i)].width = max(12, len(header_text(c.key, lang)) * 2)
    sheet.freeze_panes = "A2"
    head = []
    for c in COLUMNS:
        cell = WriteOnlyCell(sheet, value=header_text(c.key, lang))
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for c, value in zip(COLUMNS, row, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if c.kind is Kind.TEXT:
                cell.data_type = "s"  # never a formula, and codes like 00123 stay text
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- command line (`oms skus import|export`) ------------------------------------------------------------

MAX_ERRORS_SHOWN = 50


def run_skus_command(args) -> int:
    if args.skus_command == "import":
        return _cli_import(path=args.file, username=args.user)
    return _cli_export(path=args.file, lang=args.lang)


def _cli_import(*, path: str, username: str) -> int:
    """0 when every row was applied or already equal, 1 when some rows were refused."""
    from oms.accounts.models import User

    file = Path(path)
    if not file.is_file():
        raise ValidationFailed(_("No such file: %(path)s") % {"path": path})
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(_("No active user %(username)s.") % {"username": username})
    with file.open("rb") as fileobj:
        report = import_skus(fileobj=fileobj, filename=file.name, actor=Actor.of(user))
    print(_("%(file)s: %(rows)d rows, %(created)d SKUs created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rows refused.") % {
        "file": file.name, "rows": report.rows_in_file, "created": len(report.created),
        "updated": len(report.updated), "unchanged": len(report.unchanged), "rejected": report.rejected,
    })
    for error in report.errors[:MAX_ERRORS_SHOWN]:
        if error.column:
            print(_("row %(row)d, column %(column)s: %(message)s") % {
                "row": error.row, "column": error.column, "message": error.message})
        else:
            print(_("row %(row)d: %(message)s") % {"row": error.row, "message": error.message})
    if len(report.errors) > MAX_ERRORS_SHOWN:
        print(_("… and %(n)d more row errors.") % {"n": len(report.errors) - MAX_ERRORS_SHOWN})
    return 1 if report.errors else 0


def _cli_export(*, path: str, lang: str | None) -> int:
    file = Path(path)
    fmt = file.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationFailed(_("Name the file .csv or .xlsx: %(path)s") % {"path": path})
    if lang is None:
        lang = "zh" if (translation.get_language() or "").startswith("zh") else "en"
    file.write_bytes(export_skus(fmt=fmt, lang=lang))
    print(_("%(n)d SKUs written to %(file)s.") % {"n": Sku.objects.count(), "file": file})
    return 0
