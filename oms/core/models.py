from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Sequence(models.Model):
    """Named counters for SQLite, where writers are serialised by the database anyway.

    PostgreSQL uses real sequences (see core.sequences), which never block.
    """

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField(default=0)
