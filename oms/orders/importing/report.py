"""What an import did: orders created, duplicates skipped, rows refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number as a person sees it (the header is row 1)
    column: str  # header text as written in the file; "" for a problem with the whole row
    message: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)  # order numbers of the new orders
    duplicates: list[str] = field(default_factory=list)  # external ids already stored (skipped, unchanged)
    errors: list[RowError] = field(default_factory=list)
    orders_in_file: int = 0

    @property
    def rejected(self) -> int:
        """Orders not created because at least one of their rows is invalid."""
        return self.orders_in_file - len(self.created) - len(self.duplicates)

    def as_dict(self) -> dict:
        return {
            "orders_in_file": self.orders_in_file,
            "created": list(self.created),
            "duplicates": list(self.duplicates),
            "errors": [asdict(e) for e in self.errors],
        }
