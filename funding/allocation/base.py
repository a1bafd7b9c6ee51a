"""Common types of the allocation strategies: what goes in, what comes out, and how both are stored.

Pure Python on purpose: a split must be computable, explainable and re-runnable from its stored
inputs without Django, a database or a request. Money is Decimal to the cent and exact quotas are
Fractions, so a re-run gives the same cents bit for bit. Rule texts are English msgids with
``%(name)s`` placeholders plus their parameters; translation and number formatting happen at the
edge (``gettext(row.rule) % row.rule_params``), never here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from funding.allocation.values import (
    Weight,
    check_decimal,
    clean_total,
    fraction_to_decimal,
    json_native,
    number_from_str,
    number_to_str,
)
from portal.constants import CENT

# Outcome of a row; the same values as funding.choices.AllocationOutcome (a test keeps them equal).
FUNDED = "funded"
PARTLY_FUNDED = "partly_funded"
NOT_FUNDED = "not_funded"
OUTCOMES = (FUNDED, PARTLY_FUNDED, NOT_FUNDED)

# Version of the stored dict: bump it when the layout changes, so old allocations stay readable.
SCHEMA_VERSION = 1

ERROR_KEY = "Each candidate needs a non-empty text key, not %(key)r."
ERROR_CODE = "The code of candidate %(key)s must be text, not %(code)r."
ERROR_DUPLICATE_KEY = "Candidate %(key)s appears more than once."
ERROR_NEGATIVE_WEIGHT = "The weight of %(key)s is negative (%(weight)s): weights must be zero or more."
ERROR_SUBMITTED_AT = "The submission time of %(key)s must be a datetime with a time zone."
ERROR_METHOD = "The allocation method must be named."
ERROR_REFERENCE_DATE = "The reference date must be a date, not %(value)r."
ERROR_WRONG_METHOD = "This input is for the %(method)s method, not %(expected)s."
ERROR_SCHEMA = "Stored allocation of layout version %(version)s; this code reads version %(expected)s."


def check_method(allocation_input: AllocationInput, *, method: str) -> None:
    if allocation_input.method != method:
        raise ValueError(ERROR_WRONG_METHOD % {"method": allocation_input.method, "expected": method})


@dataclass(frozen=True, slots=True)
class Candidate:
    """One beneficiary or application taking part in a split.

    ``key`` identifies it to the caller (organisation id, application id, ISTAT code), ``code`` is
    what ties are broken on (ISTAT code, protocol number). ``weight`` is what the method splits by:
    population, officers in service, eligible expense for percentage calls; the fixed-amount method
    ignores it. ``submitted_at`` and ``score`` rank applications; ``data`` is free JSON-native
    context kept with the inputs (a name, a province) and never read by the computation.
    """

    key: str
    code: str
    weight: Weight
    submitted_at: datetime.datetime | None = None
    score: Weight | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(ERROR_KEY % {"key": self.key})
        if not isinstance(self.code, str):
            raise ValueError(ERROR_CODE % {"key": self.key, "code": self.code})
        check_decimal(self.weight, what=f"The weight of {self.key}")
        if self.weight < 0:
            raise ValueError(ERROR_NEGATIVE_WEIGHT % {"key": self.key, "weight": self.weight})
        if self.submitted_at is not None and (
            not isinstance(self.submitted_at, datetime.datetime) or self.submitted_at.tzinfo is None
        ):
            raise ValueError(ERROR_SUBMITTED_AT % {"key": self.key})
        if self.score is not None:
            check_decimal(self.score, what=f"The score of {self.key}")
        object.__setattr__(self, "data", json_native(self.data, what=f"The data of {self.key}"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "code": self.code,
            "weight": number_to_str(self.weight),
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "score": None if self.score is None else number_to_str(self.score),
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Candidate:
        submitted_at = data.get("submitted_at")
        score = data.get("score")
        return cls(
            key=data["key"],
            code=data["code"],
            weight=number_from_str(data["weight"]),
            submitted_at=datetime.datetime.fromisoformat(submitted_at) if submitted_at else None,
            score=None if score is None else number_from_str(score),
            data=data.get("data") or {},
        )


@dataclass(frozen=True, slots=True)
class AllocationInput:
    """Everything a split depends on, and nothing else: stored with the allocation to re-run it."""

    method: str
    total: Decimal
    candidates: tuple[Candidate, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    reference_date: datetime.date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or not self.method:
            raise ValueError(ERROR_METHOD)
        # A TextChoices member (AllocationMethod.POPULATION) becomes its plain value.
        object.__setattr__(self, "method", str(getattr(self.method, "value", self.method)))
        object.__setattr__(self, "total", clean_total(self.total))
        candidates = tuple(self.candidates)
        seen: set[str] = set()
        for candidate in candidates:
            if candidate.key in seen:
                raise ValueError(ERROR_DUPLICATE_KEY % {"key": candidate.key})
            seen.add(candidate.key)
        object.__setattr__(self, "candidates", candidates)
        object.__setattr__(self, "params", json_native(self.params, what="The parameters"))
        if self.reference_date is not None and (
            isinstance(self.reference_date, datetime.datetime)
            or not isinstance(self.reference_date, datetime.date)
        ):
            raise ValueError(ERROR_REFERENCE_DATE % {"value": self.reference_date})

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "total": str(self.total),
            "reference_date": self.reference_date.isoformat() if self.reference_date else None,
            "params": self.params,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AllocationInput:
        reference_date = data.get("reference_date")
        return cls(
            method=data["method"],
            total=Decimal(data["total"]),
            candidates=tuple(Candidate.from_dict(item) for item in data["candidates"]),
            params=data.get("params") or {},
            reference_date=datetime.date.fromisoformat(reference_date) if reference_date else None,
        )


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One candidate's line of the result, with the rule that produced its amount.

    ``quota`` is the exact share in euros before rounding (for ranked methods: the exact
    contribution asked for, before rounding to the cent). ``requested`` is set by the ranked
    methods only. ``rule`` is an English msgid with ``%(name)s`` placeholders filled by
    ``rule_params`` (plain decimal strings the edge may localise).
    """

    position: int
    key: str
    code: str
    weight: Weight
    quota: Fraction
    amount: Decimal
    outcome: str
    rule: str
    rule_params: Mapping[str, str] = field(default_factory=dict)
    requested: Decimal | None = None

    @property
    def quota_decimal(self) -> Decimal:
        return fraction_to_decimal(self.quota)

    @property
    def rule_text(self) -> str:
        """The rule in English, for logs and tests; the edge translates ``rule`` instead."""
        return self.rule % dict(self.rule_params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "key": self.key,
            "code": self.code,
            "weight": number_to_str(self.weight),
            "quota": str(self.quota),
            "quota_decimal": str(self.quota_decimal),
            "requested": None if self.requested is None else str(self.requested),
            "amount": str(self.amount),
            "outcome": self.outcome,
            "rule": self.rule,
            "rule_params": dict(self.rule_params),
            "rule_text": self.rule_text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ResultRow:
        requested = data.get("requested")
        return cls(
            position=int(data["position"]),
            key=data["key"],
            code=data["code"],
            weight=number_from_str(data["weight"]),
            quota=Fraction(data["quota"]),
            amount=Decimal(data["amount"]),
            outcome=data["outcome"],
            rule=data["rule"],
            rule_params=dict(data.get("rule_params") or {}),
            requested=None if requested is None else Decimal(requested),
        )


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """The split: one row per candidate (in ranking order for ranked methods, else input order),
    the totals, and the input that produced it, so the stored dict explains and re-runs itself."""

    input: AllocationInput
    rows: tuple[ResultRow, ...]
    allocated: Decimal
    unallocated: Decimal
    requested_total: Decimal | None = None

    @property
    def method(self) -> str:
        return self.input.method

    @property
    def total(self) -> Decimal:
        return self.input.total

    @property
    def weight_total(self) -> Weight:
        return sum((candidate.weight for candidate in self.input.candidates), 0)

    def row(self, key: str) -> ResultRow:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def amounts(self) -> dict[str, Decimal]:
        return {row.key: row.amount for row in self.rows}

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "method": self.method,
            "total": str(self.total),
            "allocated": str(self.allocated),
            "unallocated": str(self.unallocated),
            "requested_total": None if self.requested_total is None else str(self.requested_total),
            "weight_total": number_to_str(self.weight_total),
            "input": self.input.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AllocationResult:
        if data.get("version") != SCHEMA_VERSION:
            raise ValueError(ERROR_SCHEMA % {"version": data.get("version"), "expected": SCHEMA_VERSION})
        requested_total = data.get("requested_total")
        return cls(
            input=AllocationInput.from_dict(data["input"]),
            rows=tuple(ResultRow.from_dict(item) for item in data["rows"]),
            allocated=Decimal(data["allocated"]),
            unallocated=Decimal(data["unallocated"]),
            requested_total=None if requested_total is None else Decimal(requested_total),
        )


def make_result(
    *, allocation_input: AllocationInput, rows: Iterable[ResultRow], requested_total: Decimal | None = None
) -> AllocationResult:
    """Assemble a result with its totals computed once, here, rather than by each strategy."""
    rows = tuple(rows)
    allocated = sum((row.amount for row in rows), Decimal("0.00")).quantize(CENT)
    return AllocationResult(
        input=allocation_input,
        rows=rows,
        allocated=allocated,
        unallocated=(allocation_input.total - allocated).quantize(CENT),
        requested_total=requested_total,
    )
