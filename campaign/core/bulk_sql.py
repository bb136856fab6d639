"""Bulk writes on prepared SQL, for importers that write tens of thousands of rows.

Django's ``bulk_create``/``bulk_update`` compile every row's every value through the
field machinery (``pre_save``, ``get_db_prep_save``, placeholders): for 50,000 rows that
was 65% of an import's time, ten times the database's own work (docs/performance.md,
issues 16 and 20). Here a statement is built once per model and column list, from the
model's metadata (quoted names; every value a parameter), and run with the driver's
``executemany``.

Values are taken as the model stores them: the caller passes cleaned values (a phone
already in E.164, a name already normalised); fields whose database form differs from
the Python value (dates, times, decimals, JSON, UUIDs) are adapted by their own
``get_db_prep_save`` once per value. Nothing here sends signals, runs ``save()`` or
sets ``auto_now`` fields: give them a value.
"""

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Fields whose Python value is what the driver stores.
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.AutoField)


def _adapter(field, database):
    """None when the value goes as it is, else a function of the value. The same value
    many times over (an import's timestamp) is adapted once."""
    if isinstance(field, models.ForeignKey):
        return _adapter(field.target_field, database)
    if isinstance(field, _AS_IS) and not isinstance(field, models.UUIDField):
        return None
    if isinstance(field, models.DateTimeField):
        adapt = database.ops.adapt_datetimefield_value
    elif isinstance(field, models.DateField):
        adapt = database.ops.adapt_datefield_value
    else:

        def adapt(value):
            return field.get_db_prep_save(value, database)

    last = [object(), None]

    def adapted(value):
        if value is not last[0]:
            last[0], last[1] = value, adapt(value)
        return last[1]

    return adapted


class Statement:
    """One model's columns (``names``: field names, in order; by default every concrete
    field but an automatic primary key) and the conversion of a row of their values to
    parameters."""

    def __init__(self, model, names=None):
        meta = model._meta
        self.model = model
        if names is None:
            self.fields = [
                f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
            ]
        else:
            self.fields = [meta.get_field(name) for name in names]
        self.attnames = [field.attname for field in self.fields]
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        self.columns = [quote(field.column) for field in self.fields]
        database = connections[DEFAULT_DB_ALIAS]  # the object itself, not the per-thread proxy
        self.adapters = [(index, _adapter(field, database)) for index, field in enumerate(self.fields)]
        self.adapters = [(index, adapt) for index, adapt in self.adapters if adapt is not None]

    def values_of(self, instance) -> list:
        """An unsaved (or changed) model instance's values, in column order."""
        return [getattr(instance, attname) for attname in self.attnames]

    def params(self, row):
        """A row of values (a sequence in column order) as parameters."""
        if not self.adapters:
            return row
        row = list(row)
        for index, adapt in self.adapters:
            if row[index] is not None:
                row[index] = adapt(row[index])
        return row


class Insert(Statement):
    """``INSERT INTO table (columns) VALUES (%s, …)``."""

    def __init__(self, model, names=None):
        super().__init__(model, names)
        self.sql = (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) "  # noqa: S608 - quoted names from the model
            f"VALUES ({', '.join(['%s'] * len(self.columns))})"
        )

    def run(self, rows, *, adapted=False):
        """``executemany`` over the rows; returns how many. ``adapted``: the rows hold
        database values already (the caller adapted its dates itself)."""
        if not adapted:
            rows = [self.params(row) for row in rows]
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)
        return len(rows)

    def run_returning_ids(self, rows, *, per_statement=500):
        """The same rows in multi-row INSERTs ``… RETURNING id``, for callers that need
        the new ids (SQLite ≥ 3.35, PostgreSQL): the ids in the rows' order, as Django's
        own ``bulk_create`` reads them."""
        pk = connection.ops.quote_name(self.model._meta.pk.column)
        row_sql = f"({', '.join(['%s'] * len(self.columns))})"
        ids = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                part = rows[start : start + per_statement]
                params = [value for row in part for value in self.params(row)]
                cursor.execute(
                    f"INSERT INTO {self.table} ({', '.join(self.columns)}) "  # noqa: S608 - see above
                    f"VALUES {', '.join([row_sql] * len(part))} RETURNING {pk}",
                    params,
                )
                ids.extend(record[0] for record in cursor.fetchall())
        return ids


class Update(Statement):
    """``UPDATE table SET column = %s, … WHERE key = %s``: each row is the new values in
    column order followed by the key."""

    def __init__(self, model, names, *, key="pk"):
        super().__init__(model, names)
        key_field = model._meta.pk if key == "pk" else model._meta.get_field(key)
        assignments = ", ".join(f"{column} = %s" for column in self.columns)
        self.sql = (
            f"UPDATE {self.table} SET {assignments} "  # noqa: S608 - quoted names from the model
            f"WHERE {connection.ops.quote_name(key_field.column)} = %s"
        )

    def run(self, rows, *, adapted=False):
        if not adapted:
            rows = [[*self.params(row[:-1]), row[-1]] for row in rows]
        if rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)
        return len(rows)
