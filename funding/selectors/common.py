"""What every funding selector shares: exact money sums from the entries, who reads everything, who
acts for an organisation."""

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.db.models import (
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable

from portal.constants import MONEY_MAX_DIGITS
from portal.fields import MoneyField
from portal.permissions import (
    APPLY,
    READ_ALL,
    can,
    can_for,
    funding_visible_organisation_ids,
)

# The output field of every money expression: a MoneyField, so sums come back exact to the cent.
MONEY = MoneyField(max_digits=MONEY_MAX_DIGITS + 2)


# A figure derived from others (`available`: appropriation less reserved): one rule, `rule(figures)`,
# which reads its operands as `figures["name"]`. SQL evaluates it over columns and annotations
# (annotate_derived: querysets that are filtered, ordered or exported as values in the database);
# Python over each row as it is read (with_derived: a list that sums four figures in SQL need not
# compile each derived one again from the same subqueries).
Derived = Mapping[str, Callable[[Mapping], object]]


class _Columns:
    def __getitem__(self, name: str) -> F:
        return F(name)


def annotate_derived(qs: QuerySet, derived: Derived) -> QuerySet:
    return qs.annotate(
        **{name: ExpressionWrapper(rule(_Columns()), output_field=MONEY) for name, rule in derived.items()}
    )


def set_derived(rows: Iterable[Model], derived: Derived) -> None:
    for row in rows:
        figures = vars(row)  # the model's fields and the query's annotations
        for name, rule in derived.items():
            setattr(row, name, rule(figures))


class _DerivedIterable(ModelIterable):
    derived: Derived = {}

    def __iter__(self):
        for row in super().__iter__():
            set_derived((row,), self.derived)
            yield row


# One iterable class per set of rules (the *_DERIVED constants), by the rules' id: the class holds
# its rules, so an id in this cache always belongs to the rules it was made for.
_ITERABLES: dict[int, type[_DerivedIterable]] = {}


def with_derived(qs: QuerySet, derived: Derived) -> QuerySet:
    """`qs` whose rows get the `derived` figures in Python as they are read (a page, a get()): what
    annotate_derived computes in SQL, without compiling each sum again in every figure derived from
    it. The figures are attributes, not columns: they can be neither filtered nor ordered on, and
    values() has no such names (it fails loudly)."""
    iterable = _ITERABLES.get(id(derived))
    if iterable is None:
        iterable = type("DerivedIterable", (_DerivedIterable,), {"derived": derived})
        _ITERABLES[id(derived)] = iterable
    clone = qs.all()
    clone._iterable_class = iterable
    return clone


def money_sum(queryset: QuerySet, outer: str, field: str = "amount"):
    """A correlated SUM subquery: no join fan-out, one query for any number of rows."""
    total = (
        queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(t=Sum(field)).values("t")
    )
    return Coalesce(Subquery(total, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def is_reader(user) -> bool:
    return can(user, READ_ALL)


def funding_scoped(qs: QuerySet, *, user, beneficiary: str) -> QuerySet:
    """`qs` narrowed to the rows whose organisation (reached by the `beneficiary` path) has funding
    the user may see: all for those who read everything, none for anonymous (issue 9's one rule)."""
    if user is None or not user.is_authenticated:
        return qs.none()
    visible = funding_visible_organisation_ids(user)
    return qs if visible is None else qs.filter(**{f"{beneficiary}__in": visible})


def acts_for(*, user, organisation_id: int | None) -> bool:
    """The user is applicant staff of that organisation: the one ownership rule of the funding pages
    (an application, an expense report, their documents), the same the services require."""
    return organisation_id is not None and can_for(user, APPLY, organisation_id)
