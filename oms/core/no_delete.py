"""Rows that are never hard-deleted (manual §3.2): orders, lines, payments, refunds, stock movements, audit events.

A model opts in by inheriting the abstract `NoDeleteMixin` (first in its bases): `instance.delete()` and
`QuerySet.delete()` (also through related managers, which use the default manager's queryset) raise
DeletionRefused. Cascades cannot reach these rows either: every foreign key that points at
them from a deletable parent is PROTECT, or the parent itself refuses deletion.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation


class DeletionRefused(BusinessRuleViolation):
    code = "deletion_refused"
    default_message = _("These records are never deleted; correct them with a new entry instead.")


def _refuse(model: type[models.Model]) -> DeletionRefused:
    return DeletionRefused(
        _("%(what)s are never deleted; correct them with a new entry instead.")
        % {"what": str(model._meta.verbose_name_plural).capitalize()},
        details={"model": model._meta.label},
    )


class NoDeleteQuerySet(models.QuerySet):
    def delete(self):
        raise _refuse(self.model)

    delete.queryset_only = True  # type: ignore[attr-defined]

    def _discard_uncommitted(self):
        """Remove rows that nothing refers to yet (draft lines being replaced); see `discard_uncommitted_lines`."""
        return super().delete()


class NoDeleteManager(models.Manager.from_queryset(NoDeleteQuerySet)):
    pass


class NoDeleteMixin(models.Model):
    """Abstract base: the default manager's querysets and the instances refuse delete()."""

    objects = NoDeleteManager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise _refuse(type(self))


# Lines of an order that has not yet committed stock or money may be replaced (a draft edited, a line removed
# before allocation): the audit event of the same transaction keeps the old lines (old → new), and nothing
# else refers to these rows. This is the one named door; every other delete of a protected row is refused.
DISCARDABLE = {"orders.orderline", "orders.orderdiscount"}


def discard_uncommitted_lines(queryset: models.QuerySet) -> int:
    """Delete order lines/discounts that nothing refers to yet; the caller records their content in an audit event."""
    if queryset.model._meta.label_lower not in DISCARDABLE:
        raise _refuse(queryset.model)
    if isinstance(queryset, NoDeleteQuerySet):
        return queryset._discard_uncommitted()[0]
    return queryset.delete()[0]
