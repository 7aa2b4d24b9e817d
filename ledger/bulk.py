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

Each write comes in two steps: `rows_prepare` / `objects_prepare` make the rows ready (their COPY
text) without a query, so a thread may do it while the connection is busy, and `rows_write` /
`objects_write` insert them; `bulk_insert` and `objects_insert` do both at once.
"""

import contextlib
import dataclasses
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
from django.db import connections, router, transaction
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


def _payload(lines: Sequence[str]) -> bytes:
    """What COPY reads: the lines (COPY text, a row each), each ended."""
    return ("\n".join(lines) + "\n").encode()


def _copy(connection, model: type[Model], fields: Sequence[Field], data: bytes, count: int) -> None:
    """COPY `count` rows (`_payload`) into the model's table."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"

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
                connection.queries_log.append({"sql": f"{sql} -- {count} rows", "time": f"{duration:.3f}"})
                logger.debug(
                    "(%.3f) %s -- %s rows", duration, sql, count,
                    extra={"duration": duration, "sql": sql, "params": None, "alias": connection.alias},
                )


def _lines(connection, fields: Sequence[Field], rows: Sequence[Sequence[object]]) -> list[str]:
    """Each row in COPY text (without its line end)."""
    if any(len(row) != len(fields) for row in rows):
        raise ValueError(f"every row needs {len(fields)} values")
    texts = [_Column(field, connection).texts(values) for field, values in zip(fields, zip(*rows), strict=True)]
    return list(map("\t".join, zip(*texts)))


def copies(*, model: type[Model], using: str | None = None) -> bool:
    """Whether new rows of `model` go in by COPY, with primary keys that `ids_reserve` can take first."""
    return _copies(connections[using or router.db_for_write(model)])


@dataclasses.dataclass
class NewRows:
    """New rows of one model made ready by `rows_prepare`, written by `rows_write`: on PostgreSQL
    what COPY reads, elsewhere the instances `bulk_create` saves."""

    model: type[Model]
    alias: str
    columns: list[Field] = dataclasses.field(default_factory=list)
    data: bytes = b""
    count: int = 0
    objs: list[Model] = dataclasses.field(default_factory=list)


def rows_prepare(
    *, model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[object]], using: str | None = None
) -> NewRows:
    """New rows of `model`, each the values of `fields` (attribute names: `account_id`, not
    `account`; the primary key may be one), made ready to insert as `bulk_create` would write them;
    fields not given get their defaults, each computed once for all the rows. Runs no query, so it
    may run in a thread of its own while the connection is busy."""
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    if not rows:
        return NewRows(model, alias)
    if not _copies(connection):
        return NewRows(model, alias, objs=[model(**dict(zip(fields, row, strict=True))) for row in rows])
    columns = _fields(model, fields)
    lines = _lines(connection, columns, rows)
    defaults = _defaults(model, fields)
    if defaults:
        tail = "".join("\t" + _Column(field, connection).text(value) for field, value in defaults)
        lines = [line + tail for line in lines]
    columns += [field for field, _value in defaults]
    return NewRows(model, alias, columns=columns, data=_payload(lines), count=len(lines))


def rows_write(prepared: NewRows) -> None:
    """Insert the rows `rows_prepare` made ready, in the caller's transaction."""
    connection = connections[prepared.alias]
    connection.ensure_connection()
    if prepared.objs:
        prepared.model._base_manager.using(prepared.alias).bulk_create(prepared.objs)
    elif prepared.count:
        _copy(connection, prepared.model, prepared.columns, prepared.data, prepared.count)


def bulk_insert(
    *,
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[object]],
    returning_ids: bool = False,
    using: str | None = None,
) -> list[int]:
    """Insert new rows of `model` as `rows_prepare` describes them, at once. Returns the new primary
    keys in the order of `rows` when `returning_ids`, else []."""
    if not rows:
        return []
    alias = using or router.db_for_write(model)
    ids: list[int] = []
    if returning_ids and copies(model=model, using=alias):
        ids = ids_reserve(model=model, count=len(rows), using=alias)
        fields = [model._meta.pk.attname, *fields]
        rows = [(new_id, *row) for new_id, row in zip(ids, rows, strict=True)]
    prepared = rows_prepare(model=model, fields=fields, rows=rows, using=alias)
    rows_write(prepared)
    return [obj.pk for obj in prepared.objs] if returning_ids and prepared.objs else ids


@dataclasses.dataclass
class NewObjects:
    """New instances of one model made ready by `objects_prepare`, saved by `objects_write`."""

    model: type[Model]
    alias: str
    objs: list[Model]
    with_history: bool
    history_user: AbstractBaseUser | None
    fields: list[Field] = dataclasses.field(default_factory=list)  # the COPY columns, the primary key first
    unkeyed: list[str] | None = None  # each one's COPY line but its primary key, until `objects_write` takes them
    rows: NewRows | None = None  # the rows ready to COPY, once every instance has its primary key
    history: NewRows | None = None  # and their history rows, where they are the instances' own lines


def objects_prepare(
    *, objs: Sequence[Model], with_history: bool = False, history_user: AbstractBaseUser | None = None,
    using: str | None = None,
) -> NewObjects:
    """Make new instances of one model ready for `objects_write`; on PostgreSQL their COPY text and,
    when every instance already has its primary key (`ids_reserve`), their history's too. Runs no
    query. A related object must have been saved before it was assigned (its id is read as it is)."""
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    prepared = NewObjects(model, alias, list(objs), with_history, history_user)
    if not _copies(connection):
        return prepared
    pk = model._meta.pk
    prepared.fields = [pk, *[field for field in model._meta.concrete_fields if field is not pk]]
    for field in prepared.fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                setattr(obj, field.attname, field.pre_save(obj, add=True))
    keyed = all(obj.pk is not None for obj in objs)
    columns = prepared.fields if keyed else prepared.fields[1:]
    lines = _lines(connection, columns, list(map(attrgetter(*[field.attname for field in columns]), objs)))
    if keyed:
        _keyed(connection, prepared, lines)
    else:
        prepared.unkeyed = lines
    return prepared


def _keyed(connection, prepared: NewObjects, lines: list[str]) -> None:
    """The instances' rows ready to COPY from their lines (primary key first), and their history's."""
    prepared.rows = NewRows(prepared.model, prepared.alias, columns=prepared.fields, data=_payload(lines),
                            count=len(lines))
    if prepared.with_history:
        prepared.history = _history_rows(connection, prepared, lines)


def objects_write(prepared: NewObjects) -> list[Model]:
    """Save the instances `objects_prepare` made ready as `bulk_create(objs)` does, taking primary
    keys for those without, and with `with_history` their "created" history rows as
    `history_insert(user=history_user)` writes them."""
    objs, alias = prepared.objs, prepared.alias
    connection = connections[alias]
    connection.ensure_connection()
    if not prepared.fields:  # not by COPY
        prepared.model._base_manager.using(alias).bulk_create(objs)
        if prepared.with_history:
            history_insert(objs=objs, user=prepared.history_user, using=alias)
        return objs
    if prepared.rows is None:
        new = [obj for obj in objs if obj.pk is None]
        for obj, new_id in zip(new, ids_reserve(model=prepared.model, count=len(new), using=alias), strict=True):
            obj.pk = new_id
        pk = _Column(prepared.fields[0], connection)
        _keyed(connection, prepared, [f"{pk.text(obj.pk)}\t{line}" for obj, line in zip(objs, prepared.unkeyed,
                                                                                       strict=True)])
    rows_write(prepared.rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
    if prepared.history is not None:
        rows_write(prepared.history)
    elif prepared.with_history:
        history_insert(objs=objs, user=prepared.history_user, using=alias)
    return objs


def objects_insert(
    *, objs: Sequence[Model], with_history: bool = False, history_user: AbstractBaseUser | None = None,
    using: str | None = None,
) -> list[Model]:
    """Save new instances of one model at once: `objects_write(objects_prepare(...))`."""
    if not objs:
        return []
    return objects_write(objects_prepare(objs=objs, with_history=with_history, history_user=history_user, using=using))


def _history_rows(connection, prepared: NewObjects, lines: list[str]) -> NewRows | None:
    """The "created" history rows `history_insert` writes, from the COPY lines of the instances
    themselves, when the history rows hold the same values (the tracked fields are the model's
    fields, no instance names its own history user or reason): each history line is the instance's
    line and the history columns. None when that does not hold (or history is off)."""
    user, objs = prepared.history_user, prepared.objs
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return None
    history = _history_model(prepared.model)
    tracked = [field.attname for field in history.tracked_fields]
    own = _history_own_fields(history)
    if (
        tracked != [field.attname for field in prepared.fields] or user is None
        or any(hasattr(obj, "_history_user") or hasattr(obj, "_change_reason") for obj in objs)
    ):
        return None
    columns = _fields(history, [*tracked, *own])
    tail = "\t" + "\t".join(
        _Column(field, connection).text(value)
        for field, value in zip(columns[len(tracked):], (timezone.now(), user.pk, None, "+"), strict=True)
    )
    return NewRows(history, prepared.alias, columns=columns, data=_payload([line + tail for line in lines]),
                   count=len(lines))


@functools.cache
def _history_model(model: type[Model]) -> type[Model]:
    """The model's history model, found once: django-simple-history builds a new manager class each
    time its history manager is asked for (`Model.history`), which costs more than writing a row."""
    return get_history_manager_for_model(model).model


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
    history = _history_model(model)
    alias = using or router.db_for_write(history)
    connection = connections[alias]
    connection.ensure_connection()
    if not _copies(connection):
        get_history_manager_for_model(model).bulk_history_create(
            objs, default_user=user, default_change_reason=None, default_date=date)
        return
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


def objects_insert_linked(
    *, objs: Sequence[Model], with_history: Sequence[type[Model]] = (), using: str | None = None
) -> list[Model]:
    """Save new instances of several models at once, each as `bulk_create([obj])` would write it,
    where an instance may point (by a foreign key) to one before it in `objs` that is not saved yet;
    the instances of the models in `with_history` get their "created" history rows, as
    `history_insert(user=None)` writes them. No signal is sent, as `bulk_create` sends none.

    On PostgreSQL it is one INSERT statement (one data-modifying `WITH` clause an instance, the later
    ones taking the earlier ones' new ids): outside a transaction it commits on its own, in one round
    trip; inside one it runs under a savepoint. Elsewhere the instances are inserted in turn, in one
    transaction. Either way all is written or nothing."""
    alias = using or router.db_for_write(type(objs[0]))
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=alias):
            for obj in objs:
                type(obj)._base_manager.using(alias).bulk_create([obj])  # takes earlier instances' ids
                if type(obj) in with_history:
                    history_insert(objs=[obj], user=None, using=alias)
        return list(objs)
    plan, params = _linked_plan(objs, with_history, connection)
    sql = _LINKED_SQL.get(plan) or _LINKED_SQL.setdefault(plan, _linked_sql(plan, connection.ops.quote_name))
    connection.ensure_connection()
    with transaction.atomic(using=alias) if connection.in_atomic_block else contextlib.nullcontext():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = cursor.fetchone()
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding, obj._state.db = False, alias
    for obj in objs:
        for field, linked in list(_links(obj)):
            setattr(obj, field.name, linked)  # its id, and the instance kept
    return list(objs)


def _links(obj: Model):
    """The foreign keys of `obj` set to an instance not saved yet, with that instance."""
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.is_cached(obj):
            linked = field.get_cached_value(obj)
            if linked is not None and getattr(obj, field.attname) is None:
                yield field, linked


# The SQL of each shape of linked insert (`_linked_plan`), built once.
_LINKED_SQL: dict[tuple, str] = {}


def _linked_plan(objs: Sequence[Model], with_history: Sequence[type[Model]], connection) -> tuple[tuple, list]:
    """What `_linked_sql` writes (hashable: the SQL is built once for each shape) and its parameters:
    for each instance its model, its columns, each with the index of the instance whose new id it
    takes (or None: a parameter), and its history model when it has its history written."""
    position = {id(obj): index for index, obj in enumerate(objs)}
    date = timezone.now()
    plan, params = [], []
    for index, obj in enumerate(objs):
        model = type(obj)
        links = {field.column: linked for field, linked in _links(obj)}
        columns = []
        for field in model._meta.concrete_fields:
            if field.primary_key and isinstance(field, AutoFieldMixin) and obj.pk is None:
                continue
            if field.column in links:
                source = position.get(id(links[field.column]))
                if source is None or source >= index:
                    raise ValueError(f"{model.__name__}.{field.name} points to an instance not saved before it")
                columns.append((field.column, source))
            else:
                columns.append((field.column, None))
                params.append(field.get_db_prep_save(field.pre_save(obj, add=True), connection))
        history = None
        if model in with_history and getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            history = _history_model(model)
            user = obj._history_user if hasattr(obj, "_history_user") else history.get_default_history_user(obj)
            params += [date, user.pk if user is not None else None, get_change_reason_from_object(obj) or None, "+"]
        plan.append((model, tuple(columns), history))
    return tuple(plan), params


def _linked_sql(plan: tuple, quote) -> str:
    """`WITH s0 AS (INSERT … RETURNING *), h0 AS (INSERT INTO its history SELECT … FROM s0), s1 AS
    (INSERT … VALUES (…, (SELECT id FROM s0), …) RETURNING *), … SELECT` the new ids."""
    def new_id(index: int) -> str:
        return f"(SELECT {quote(plan[index][0]._meta.pk.column)} FROM s{index})"

    clauses = []
    for index, (model, columns, history) in enumerate(plan):
        names = ", ".join(quote(column) for column, _source in columns)
        values = ", ".join("%s" if source is None else new_id(source) for _column, source in columns)
        clauses.append(f"s{index} AS (INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({values}) RETURNING *)")
        if history is not None:
            tracked = [field.column for field in history.tracked_fields]
            own = [history._meta.get_field(name).column for name in _history_own_fields(history)]
            clauses.append(f"h{index} AS (INSERT INTO {quote(history._meta.db_table)} ({', '.join(map(quote, [*tracked, *own]))}) "
                           f"SELECT {', '.join(map(quote, tracked))}, %s, %s, %s, %s FROM s{index})")
    return f"WITH {', '.join(clauses)} SELECT {', '.join(new_id(index) for index in range(len(plan)))}"
