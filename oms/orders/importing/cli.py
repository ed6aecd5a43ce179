"""`oms import FILE --user USERNAME`: import orders with a progress bar, then a summary."""

from __future__ import annotations

import sys
from pathlib import Path

from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.core.errors import NotFound, ValidationFailed
from oms.orders.importing.services import import_orders

MAX_ERRORS_SHOWN = 50


def run_import(*, path: str, username: str, progress: bool) -> int:
    """0 when every order was created or already stored, 1 when some rows were rejected.

    An unreadable file, an unknown user or a missing permission raises (the `oms`
    command prints it as one line).
    """
    from oms.accounts.models import User

    file = Path(path)
    if not file.is_file():
        raise ValidationFailed(_("No such file: %(path)s") % {"path": path})
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise NotFound(_("No active user %(username)s.") % {"username": username})

    with file.open("rb") as fileobj, _ProgressBar(enabled=progress) as bar:
        report = import_orders(fileobj=fileobj, filename=file.name, actor=Actor.of(user), progress=bar.update)

    print(_("%(file)s: %(total)d orders in the file, %(created)d created, %(duplicates)d already stored "
            "(skipped), %(rejected)d rejected.") % {
        "file": file.name, "total": report.orders_in_file, "created": len(report.created),
        "duplicates": len(report.duplicates), "rejected": report.rejected,
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


class _ProgressBar:
    """A tqdm bar on stderr fed by import_orders' progress(done, total) callback."""

    def __init__(self, *, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def __enter__(self):
        return self

    def update(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=_("orders"), file=sys.stderr, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
