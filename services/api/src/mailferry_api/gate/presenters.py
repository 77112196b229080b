"""Read-model rows -> the gate's responses."""

from typing import Any

from mailferry_api.gate.queries import DECISION_TYPES
from mailferry_api.gate.schemas import (
    CheckOut,
    CheckSummaryOut,
    DecisionEntry,
    DeliveryOut,
    EvaluationOut,
)
from mailferry_contracts.common import CheckName

CHECK_ORDER = {name.value: index for index, name in enumerate(CheckName)}


def ordered_checks(rows: list[dict[str, Any]]) -> list[CheckOut]:
    """The checks in the order of DESIGN §2."""
    rows = sorted(rows, key=lambda r: CHECK_ORDER.get(r["name"], len(CHECK_ORDER)))
    return [CheckOut.model_validate(r) for r in rows]


def evaluation_out(row: dict[str, Any]) -> EvaluationOut:
    """One evaluation of the history."""
    checks = [CheckSummaryOut.model_validate(c) for c in row["checks"]]
    return EvaluationOut.model_validate({**row, "checks": checks})


def decision_out(row: dict[str, Any]) -> DecisionEntry:
    """One approval or override."""
    return DecisionEntry.model_validate({**row, "kind": DECISION_TYPES[row["event_type"]]})


def delivery_out(row: dict[str, Any]) -> DeliveryOut:
    """One webhook delivery attempt."""
    return DeliveryOut.model_validate(row)
