"""Bulk writes of many new rows at once, as the ORM's `bulk_create` writes them, only faster.

On PostgreSQL (psycopg2) the rows go in with one `COPY … FROM STDIN` per table; primary keys, when
the caller needs them, are taken from the table's own sequence first. Elsewhere (SQLite)
`bulk_create` writes them. Either way each row holds what `bulk_create` would have written: every
value goes through its field's `get_db_prep_save`, except the plain values ledger rows are made of
(int, str, aware datetime, None), which that leaves as they are and which are written column by
column without a Python call per value. No signal is sent, as `bulk_create` sends none.

A COPY passes through the connection's execute wrappers and, when queries are logged (`DEBUG`,
`CaptureQueriesContext`), is logged like a query, so counters and tests see it. Everything runs
inside the caller's transaction.
"""

import datetime
import functools
import io
import logging
import time
from collections.abc import Sequence
from decimal import Decimal
from itertools import repeat
from operator import attrgetter

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

logger = logging.getLogger("django.db.backends")

NULL = "\\N"
# COPY's text format: a backslash, a tab (the column separator), a line feed or a carriage return
# inside a value is written with a backslash.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIALS = ("\\", "\t", "\n", "\r")
_INTEGERS = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
})
_TEXTS = frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField"})
_OTHERS = frozenset({"BooleanField", "DateTimeField", "DateField", "DecimalField"})
_NONE = type(None)


def _copy_text(value: object) -> str:
    """A value as its field prepared it for the database, in COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, str):
        return str.translate(value, _COPY_ESCAPES)  # a str subclass (a choice) by its content
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # datetimes too: ISO 8601, with the offset of an aware one
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} with COPY")


class _Column:
    """How one field's values become COPY text."""

    def __init__(self, field: Field, connection) -> None:
        target = field.target_field if field.is_relation else field
        self.kind = target.get_internal_type()
        if self.kind not in _INTEGERS | _TEXTS | _OTHERS:
            raise TypeError(f"{field} ({self.kind}) is not written by ledger.bulk; use bulk_create")
        self.field, self.connection = field, connection

    def text(self, value: object) -> str:
        """One value, the way `bulk_create` prepares it."""
        return _copy_text(self.field.get_db_prep_save(value, self.connection))

    def texts(self, values: Sequence[object]) -> Sequence[str] | map:
        """All the values of the column. Plain values (those `get_db_prep_save` returns unchanged:
        ints in an integer column, str in a text one, aware datetimes) are converted by C loops."""
        types = set(map(type, values))
        nulls = _NONE in types
        types.discard(_NONE)
        if self.kind in _INTEGERS and types <= {int}:
            fast, extra = str, ()
        elif self.kind in _TEXTS and all(issubclass(kind, str) for kind in types):
            # A str subclass (a choice: Kind.CASH) by its content, as the driver sends it. Most columns
            # hold no character to escape: one look at all their text spares a translate per value.
            everything = "".join(value for value in values if value is not None) if nulls else "".join(values)
            if any(special in everything for special in _COPY_SPECIALS):
                fast, extra = str.translate, (_COPY_ESCAPES,)
            elif types <= {str}:
                return [NULL if value is None else value for value in values] if nulls else values
            else:
                fast, extra = str.__str__, ()
        elif self.kind == "DateTimeField" and types <= {datetime.datetime} and None not in {
            value.tzinfo for value in values if value is not None
        }:
            fast, extra = datetime.datetime.isoformat, ()  # a naive one is made aware by the field, warning
        else:
            return [self.text(value) for value in values]
        if nulls:
            return [NULL if value is None else fast(value, *extra) for value in values]
        return map(fast, values, *[repeat(argument) for argument in extra])


def _copies(connection) -> bool:
    """Whether rows go in by COPY here: PostgreSQL through psycopg2 (`copy_expert`)."""
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3


def _fields(model: type[Model], names: Sequence[str]) -> list[Field]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in names if name not in by_attname]
    if unknown or len(set(names)) != len(names):
        raise ValueError(f"{model.__name__}: unknown or repeated columns {list(names)}")
    return [by_attname[name] for name in names]


def _defaults(model: type[Model], given: Sequence[str]) -> list[tuple[Field, object]]:
    """The fields the caller does not give, with the value `bulk_create` would write (each default
    computed once for all rows); an auto-incremented primary key is left to the database."""
    missing = []
    for field in model._meta.concrete_fields:
        if field.attname in given or (field.primary_key and isinstance(field, AutoFieldMixin)):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"give {field.attname}: it is set when saved")
        missing.append((field, field.get_default()))
    return missing


def _sequence(connection, model: type[Model]) -> str:
    """The sequence behind the model's auto-incremented primary key (an identity column's too)."""
    known = connection.__dict__.setdefault("_ledger_bulk_sequences", {})
    table = model._meta.db_table
    if table not in known:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table),
                                                                      model._meta.pk.column])
            known[table] = cursor.fetchone()[0]
    return known[table]


def ids_reserve(*, model: type[Model], count: int, using: str | None = None) -> list[int]:
    """`count` new primary keys of `model` from its table's sequence, ascending (PostgreSQL)."""
    connection = connections[using or router.db_for_write(model)]
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_sequence(connection, model), count])
        return sorted(value for (value,) in cursor.fetchall())


def _copy(connection, model: type[Model], fields: Sequence[Field], lines: Sequence[str]) -> None:
    """COPY the rows (COPY text, a line each) into the model's table."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
    data = ("\n".join(lines) + "\n").encode()

    def copy(sql, params, many, context):
        # The driver's errors become Django's (IntegrityError, DataError, …), as for any query.
        with connection.wrap_database_errors:
            context["cursor"].cursor.copy_expert(sql, io.BytesIO(data), size=len(data) + 1)

    with connection.cursor() as cursor:
        executor = copy
        for wrapper in reversed(connection.execute_wrappers):
            executor = functools.partial(wrapper, executor)
        started = time.monotonic()
        try:
            executor(sql, None, False, {"connection": connection, "cursor": cursor})
        finally:
            if connection.queries_logged:
                duration = time.monotonic() - started
                connection.queries_log.append({"sql": f"{sql} -- {len(lines)} rows", "time": f"{duration:.3f}"})
                logger.debug(
                    "(%.3f) %s -- %s rows", duration, sql, len(lines),
                    extra={"duration": duration, "sql": sql, "params": None, "alias": connection.alias},
                )


def _lines(connection, fields: Sequence[Field], rows: Sequence[Sequence[object]]) -> list[str]:
    """Each row in COPY text (without its line end)."""
    if any(len(row) != len(fields) for row in rows):
        raise ValueError(f"every row needs {len(fields)} values")
    texts = [_Column(field, connection).texts(values) for field, values in zip(fields, zip(*rows), strict=True)]
    return list(map("\t".join, zip(*texts)))


def bulk_insert(
    *,
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[object]],
    returning_ids: bool = False,
    using: str | None = None,
) -> list[int]:
    """Insert new rows of `model`, each the values of `fields` (attribute names: `account_id`, not
    `account`), as `bulk_create([model(**dict(zip(fields, row))) for row in rows])` would; fields not
    given get their defaults, each computed once for all the rows. Returns the new primary keys in
    the order of `rows` when `returning_ids`, else []."""
    if not rows:
        return []
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    connection.ensure_connection()
    if not _copies(connection):
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._base_manager.using(alias).bulk_create(objs)
        return [obj.pk for obj in objs] if returning_ids else []
    given = _fields(model, fields)
    defaults = _defaults(model, fields)
    columns = list(given)
    ids: list[int] = []
    if returning_ids:
        ids = ids_reserve(model=model, count=len(rows), using=alias)
        columns.insert(0, model._meta.pk)
        rows = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
    lines = _lines(connection, columns, rows)
    if defaults:
        tail = "".join("\t" + _Column(field, connection).text(value) for field, value in defaults)
        lines = [line + tail for line in lines]
        columns += [field for field, _value in defaults]
    _copy(connection, model, columns, lines)
    return ids


def objects_insert(
    *, objs: Sequence[Model], with_history: bool = False, history_user: AbstractBaseUser | None = None,
    using: str | None = None,
) -> list[Model]:
    """Save new instances of one model as `bulk_create(objs)` does, setting each one's primary key,
    and with `with_history` their "created" history rows as `history_insert(user=history_user)`
    writes them. A related object must have been saved before it was assigned (its id is read as
    it is)."""
    if not objs:
        return []
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    connection.ensure_connection()
    if not _copies(connection):
        model._base_manager.using(alias).bulk_create(objs)
        if with_history:
            history_insert(objs=objs, user=history_user, using=using)
        return list(objs)
    pk = model._meta.pk
    fields = [pk, *[field for field in model._meta.concrete_fields if field is not pk]]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, field.pre_save(obj, add=True))
    new = [obj for obj in objs if obj.pk is None]
    for obj, new_id in zip(new, ids_reserve(model=model, count=len(new), using=alias), strict=True):
        obj.pk = new_id
    lines = _lines(connection, fields, list(map(attrgetter(*[field.attname for field in fields]), objs)))
    _copy(connection, model, fields, lines)
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    if with_history:
        _history_copy(connection, model=model, objs=objs, fields=fields, lines=lines, user=history_user, using=using)
    return list(objs)


def _history_copy(connection, *, model, objs, fields, lines, user, using) -> None:
    """`history_insert`, from the COPY lines of the instances themselves when the history rows hold
    the same values (the tracked fields are the model's fields, no instance names its own history
    user or reason): each history line is the instance's line and the history columns."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = get_history_manager_for_model(model).model
    tracked = [field.attname for field in history.tracked_fields]
    own = _history_own_fields(history)
    if (
        tracked != [field.attname for field in fields] or user is None
        or any(hasattr(obj, "_history_user") or hasattr(obj, "_change_reason") for obj in objs)
    ):
        history_insert(objs=objs, user=user, using=using)
        return
    columns = _fields(history, [*tracked, *own])
    tail = "\t" + "\t".join(
        _Column(field, connection).text(value)
        for field, value in zip(columns[len(tracked):], (timezone.now(), user.pk, None, "+"), strict=True)
    )
    _copy(connection, history, columns, [line + tail for line in lines])


def _history_own_fields(history: type[Model]) -> list[str]:
    """The history model's own columns, in the order the history rows give them; refuses a history
    model with columns of its own besides django-simple-history's."""
    own = ["history_date", "history_user_id", "history_change_reason", "history_type"]
    tracked = {field.attname for field in history.tracked_fields}
    others = {field.attname for field in history._meta.concrete_fields} - {*tracked, *own, history._meta.pk.attname}
    if others or hasattr(history, "history_relation"):
        raise NotImplementedError(f"{history.__name__} has fields of its own {sorted(others)}: use bulk_history_create")
    return own


def history_insert(
    *, objs: Sequence[Model], user: AbstractBaseUser | None, date: datetime.datetime | None = None,
    using: str | None = None,
) -> None:
    """The "created" history rows of saved instances of one model, as django-simple-history's
    `bulk_history_create(objs, default_user=user, default_change_reason=None)` writes them (an
    instance's own `_history_user` first), all dated `date` (default: now)."""
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    model = type(objs[0])
    manager = get_history_manager_for_model(model)
    alias = using or router.db_for_write(manager.model)
    connection = connections[alias]
    connection.ensure_connection()
    if not _copies(connection):
        manager.bulk_history_create(objs, default_user=user, default_change_reason=None, default_date=date)
        return
    history = manager.model
    tracked = [field.attname for field in history.tracked_fields]
    own = _history_own_fields(history)
    date = date or timezone.now()
    values = attrgetter(*tracked)
    rows = []
    for obj in objs:
        history_user = (
            obj._history_user if hasattr(obj, "_history_user") else user or history.get_default_history_user(obj)
        )
        rows.append((*values(obj), date, history_user.pk if history_user is not None else None,
                     get_change_reason_from_object(obj) or None, "+"))
    bulk_insert(model=history, fields=[*tracked, *own], rows=rows, using=alias)
