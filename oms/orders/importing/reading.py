"""Read an import file (CSV or XLSX) into its header and its non-blank data rows.

Problems with the file as a whole (type, size, encoding, header) raise
ImportFileInvalid; problems with single cells are left to the caller.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from oms.orders.importing.columns import HeaderRow, match_header
from oms.orders.importing.errors import ImportFileInvalid

HEADER_SEARCH_ROWS = 10  # a title or note above the header row is tolerated
MAX_ROWS = 200_000  # a small compressed XLSX can hold far more rows than its size suggests
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


@dataclass
class Sheet:
    header: HeaderRow
    rows: list[tuple[int, dict[str, object]]]  # (spreadsheet row number, column key -> raw cell value)


def read_file(fileobj, filename: str) -> Sheet:
    data = _read_limited(fileobj)
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in XLSX_SUFFIXES:
        raw_rows = _xlsx_rows(data)
    elif suffix in CSV_SUFFIXES:
        raw_rows = _csv_rows(data)
    elif suffix == ".xls":
        raise ImportFileInvalid(_("Old-style .xls workbooks are not supported; save the file as .xlsx or .csv."))
    else:
        raise ImportFileInvalid(
            _("Unsupported file type %(name)s; upload a .csv or .xlsx file.") % {"name": filename or "?"}
        )
    return _sheet(raw_rows)


def _read_limited(fileobj) -> bytes:
    limit = settings.OMS_IMPORT_MAX_BYTES
    data = fileobj.read(limit + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > limit:
        raise ImportFileInvalid(
            _("The file is larger than %(mb).0f MB; split it into smaller files.") % {"mb": limit / 1024 / 1024}
        )
    if not data.strip():
        raise ImportFileInvalid(_("The file is empty."))
    return data


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileInvalid(_("This file is an Excel workbook; name it .xlsx or save it as CSV."))
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileInvalid(_("The CSV file is neither UTF-8 nor GB18030 text."))
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ImportFileInvalid(
            _("The CSV file cannot be read near row %(row)d: %(problem)s") % {"row": reader.line_num, "problem": exc}
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ImportFileInvalid(_("The file is not a readable .xlsx workbook.")) from None
    try:
        # The first sheet with a recognisable header row (the template has an instructions sheet too).
        for sheet in workbook.worksheets:
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


def _blank(cells: list[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _sheet(raw_rows: Iterator[tuple[int, list[object]]]) -> Sheet:
    header: HeaderRow | None = None
    rows: list[tuple[int, dict[str, object]]] = []
    for number, cells in raw_rows:
        if header is None:
            header = match_header(cells, number)
            if header is None and number >= HEADER_SEARCH_ROWS:
                break
            continue
        if _blank(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileInvalid(
                _("The file has more than %(n)d rows; split it into smaller files.") % {"n": MAX_ROWS}
            )
        width = len(cells)
        rows.append((number, {key: cells[i] if i < width else None for key, i in header.positions.items()}))
    if header is None:
        raise ImportFileInvalid(
            _("No header row found; the first row must name the columns, as in the template (for example "
              "channel, external_id, sku or 渠道, 外部订单号, SKU).")
        )
    if header.duplicates:
        raise ImportFileInvalid(
            _("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(header.duplicates)},
            details={"duplicate_columns": header.duplicates},
        )
    missing = [header.text(key) for key in header.missing()]
    if missing:
        raise ImportFileInvalid(
            _("The header row lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)},
            details={"missing_columns": missing},
        )
    if not rows:
        raise ImportFileInvalid(_("The file has a header row but no order rows."))
    return Sheet(header=header, rows=rows)
