"""Reads compiled to SQL once per shape and process: for the hottest public reads, where building and
compiling a query in the ORM costs several times what the database spends answering it.

`PreparedRead(build)`: `build(shape, **values)` returns a `values()` QuerySet. `rows(shape, **values)` gives the
rows that QuerySet would give. The first call of a `shape` (a hashable naming everything apart from `values`
that the query's text depends on) builds the QuerySet with stand-in values, compiles it, and finds where
each stand-in landed among the parameters; every later call sends that SQL with the real values in those
places and converts the rows as the ORM does (its own converters). The ORM stays the one source of the SQL:
nothing here writes any.

A shape whose values do not all land verbatim among the parameters (a value the ORM rewrites, such as the
pattern of `icontains`), or whose stand-ins are ambiguous, is run through the ORM every time, as is a call
with an integer out of the 64-bit range (which the ORM answers without a query). Lists are one stand-in per
item: their length is part of the shape.
"""

import datetime
import threading
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections

MAX_SHAPES = 512
INT64 = range(-(2**63), 2**63)
_EMPTY = object()  # a shape the ORM knows to be empty without a query
_ORM = object()  # a shape that cannot be prepared


class _Prepared:
    """SQL and parameters of a shape, the places of each value's items, and how to turn rows into dicts."""

    def __init__(self, sql, params, places, names, converters):
        self.sql = sql
        self.params = params
        self.places = places  # [(param index, value name, item index or None, adapt)]
        self.names = names
        self.converters = converters


class PreparedRead:
    def __init__(self, build, *, using="default"):
        self.build = build
        self.using = using
        self._shapes: dict = {}
        self._lock = threading.Lock()

    def rows(self, shape, **values) -> list[dict]:
        if not all(_fits(value) for value in values.values()):
            return list(self.build(shape, **values))
        connection = connections[self.using]
        key = (connection.vendor, shape, *(len(v) for v in values.values() if isinstance(v, list | tuple)))
        prepared = self._shapes.get(key)
        if prepared is None:
            prepared = self._prepare(connection, shape, values)
            with self._lock:
                if len(self._shapes) >= MAX_SHAPES:
                    self._shapes.clear()
                self._shapes[key] = prepared
        if prepared is _ORM:
            return list(self.build(shape, **values))
        if prepared is _EMPTY:
            return []
        return self._run(connection, prepared, values)

    def _prepare(self, connection, shape, values):
        stand_ins, by_value = {}, {}
        for number, (name, value) in enumerate(values.items()):
            if isinstance(value, list | tuple):
                items = [_stand_in(item, number, index) for index, item in enumerate(value)]
                stand_ins[name] = items
                for index, item in enumerate(items):
                    by_value.setdefault(_token(item), []).append((name, index))
            else:
                stand_ins[name] = _stand_in(value, number, None)
                by_value.setdefault(_token(stand_ins[name]), []).append((name, None))
            if stand_ins[name] is None or (isinstance(stand_ins[name], list) and None in stand_ins[name]):
                return _ORM
        if any(len(owners) > 1 for owners in by_value.values()):
            return _ORM
        queryset = self.build(shape, **stand_ins)
        compiler = queryset.query.get_compiler(using=self.using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _EMPTY
        if not sql:
            return _EMPTY
        adapted = {}
        for token, owners in by_value.items():
            value = _from_token(token)
            for adapt in _ADAPTERS.get(type(value), ()):
                adapted.setdefault(_token(adapt(connection, value)), (owners[0], adapt))
            adapted.setdefault(token, (owners[0], None))
        places, found = [], set()
        for position, param in enumerate(params):
            hit = adapted.get(_token(param)) if _hashable(param) else None
            if hit is None:
                if isinstance(param, str) and any(_stand_in_text(param, token) for token in by_value):
                    return _ORM  # a value rewritten by the ORM: cannot be substituted
                continue
            (name, index), adapt = hit
            places.append((position, name, index, adapt))
            found.add((name, index))
        wanted = {owner for owners in by_value.values() for owner in owners}
        if found != wanted:
            return _ORM
        query = queryset.query
        names = list(query.selected or [*query.extra_select, *query.values_select, *query.annotation_select])
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = list(compiler.get_converters(fields).items())
        if len(names) != compiler.col_count or compiler.has_extra_select:
            return _ORM
        return _Prepared(sql, list(params), places, names, converters)

    def _run(self, connection, prepared: _Prepared, values: dict) -> list[dict]:
        params = list(prepared.params)
        for position, name, index, adapt in prepared.places:
            value = values[name] if index is None else values[name][index]
            params[position] = adapt(connection, value) if adapt else value
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            rows = cursor.fetchall()
        names, converters = prepared.names, prepared.converters
        result = []
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            result.append(dict(zip(names, row, strict=True)))
        return result


def _fits(value) -> bool:
    if isinstance(value, list | tuple):
        return all(_fits(item) for item in value)
    return not isinstance(value, int) or isinstance(value, bool) or value in INT64


_BASE_DATETIME = datetime.datetime(1903, 5, 7, 11, 13, 17, tzinfo=datetime.UTC)


def _stand_in(value, number: int, index: int | None):
    """A value of `value`'s type that no real query parameter holds: distinct per value and item."""
    serial = number * 100_000 + (index or 0) + (0 if index is None else 50_000)
    if isinstance(value, bool):
        return None  # two values only: a flag belongs in the shape
    if isinstance(value, int):
        return -1_234_000_000 - serial  # negative: no id, count or limit; within every integer column
    if isinstance(value, datetime.datetime):
        moment = _BASE_DATETIME + datetime.timedelta(microseconds=serial + 1)
        return moment if value.tzinfo is not None else moment.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return datetime.date(1903, 5, 7) + datetime.timedelta(days=serial + 1)
    if isinstance(value, Decimal):
        return Decimal(-987_654_321 - serial) / 1000
    if isinstance(value, str):
        return f"\x1fstand-in-{serial}\x1f"
    return None


def _token(value):
    return (type(value), value)


def _from_token(token):
    return token[1]


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _stand_in_text(param: str, token) -> bool:
    value = _from_token(token)
    return isinstance(value, str) and value in param


def _adapt_datetime(connection, value):
    return connection.ops.adapt_datetimefield_value(value)


def _adapt_date(connection, value):
    return connection.ops.adapt_datefield_value(value)


def _adapt_decimal(connection, value):
    return connection.ops.adapt_decimalfield_value(value)


_ADAPTERS = {
    datetime.datetime: (_adapt_datetime,),
    datetime.date: (_adapt_date,),
    Decimal: (_adapt_decimal,),
}
