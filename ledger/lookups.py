"""`field__any_of=values`: the rows whose field is one of many values.

What `__in` selects, written for the long lists a statement import asks about (a chunk's 2,000
checksums, its pledge references and ids): on PostgreSQL `field = ANY(%s)` with the values as one
array parameter, since an IN list of thousands of placeholders costs more to build and to plan than
to run; elsewhere the IN list. The values are used as given (strings, integers), not converted by
the field.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*params, self.rhs)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)
