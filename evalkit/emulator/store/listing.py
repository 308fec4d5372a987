"""The execution list: base filters and sort in SQL, review filters over a scan window (A5, B6).

Review filters (feedback and expected) look only at the first ``scan_limit`` executions that
pass the base filters, in the requested order; ``scan_limited`` says the window was full.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from evalkit.emulator.store.db import Database
from evalkit.emulator.store.executions import ExecutionRecord

SORT_COLUMNS = {
    "createdAt": "created_at",
    "completedAt": "completed_at",
    "status": "status",
    "exampleName": "example_name",
}


@dataclass(frozen=True)
class ExecutionFilters:
    statuses: tuple[str, ...] = ()
    batch_id: str | None = None
    example_name: str | None = None
    example_name_contains: str | None = None
    created_after: str | None = None
    created_before: str | None = None
    completed_after: str | None = None
    completed_before: str | None = None
    since_last_resolved: bool = False
    # review filters, subject to the scan window
    feedback_status: str | None = None
    feedback_rating: str | None = None  # "none" = no rating
    has_feedback: bool | None = None
    no_feedback: bool | None = None
    has_expected: bool | None = None
    has_expected_json: bool | None = None
    has_expected_files: bool | None = None
    feedback_body_contains: str | None = None
    feedback_ranges: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    promoted_to_example: bool | None = None
    promoted_example_name: str | None = None
    sort: str = "createdAt"
    order: str = "desc"
    scan_limit: int = 500


@dataclass(frozen=True)
class ExecutionPage:
    records: list[ExecutionRecord]
    total: int
    scan_limited: bool
    no_resolved_anchor: bool


_EXPECTED_FILES = (
    "EXISTS (SELECT 1 FROM execution_files f WHERE f.execution_id = executions.id"
    " AND f.kind = 'expected')"
)
_FEEDBACK_RANGE_COLUMNS = {
    "created": "fb_created_at",
    "updated": "fb_updated_at",
    "resolved": "fb_resolved_at",
}


def list_executions(
    db: Database, agent_id: str, filters: ExecutionFilters, *, limit: int, offset: int
) -> ExecutionPage:
    base, params = _base_conditions(agent_id, filters)
    if filters.since_last_resolved:
        with db.read() as conn:
            anchor = conn.execute(
                "SELECT max(fb_resolved_at) FROM executions WHERE agent_id = ?"
                " AND fb_exists = 1 AND fb_status = 'resolved'",
                (agent_id,),
            ).fetchone()[0]
        if anchor is None:
            return ExecutionPage([], 0, scan_limited=False, no_resolved_anchor=True)
        base.append("created_at > ?")
        params.append(anchor)
    review, review_params = _review_conditions(filters)
    where = " AND ".join(base)
    order_by = _order_by(filters)
    with db.read() as conn:
        if not review:
            total = conn.execute(f"SELECT count(*) FROM executions WHERE {where}", params)
            rows = conn.execute(
                f"SELECT * FROM executions WHERE {where} ORDER BY {order_by} LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
            return ExecutionPage(
                [ExecutionRecord(r) for r in rows], int(total.fetchone()[0]), False, False
            )
        window = f"SELECT * FROM executions WHERE {where} ORDER BY {order_by} LIMIT ?"
        scanned = conn.execute(
            f"SELECT count(*) FROM ({window})", [*params, filters.scan_limit + 1]
        ).fetchone()[0]
        matching = f"SELECT * FROM ({window}) AS executions WHERE {' AND '.join(review)}"
        window_params = [*params, filters.scan_limit, *review_params]
        total = conn.execute(f"SELECT count(*) FROM ({matching})", window_params).fetchone()[0]
        rows = conn.execute(
            f"{matching} ORDER BY {order_by} LIMIT ? OFFSET ?", [*window_params, limit, offset]
        ).fetchall()
    return ExecutionPage(
        [ExecutionRecord(r) for r in rows],
        int(total),
        scan_limited=int(scanned) > filters.scan_limit,
        no_resolved_anchor=False,
    )


def _base_conditions(agent_id: str, filters: ExecutionFilters) -> tuple[list[str], list[Any]]:
    conditions, params = ["agent_id = ?"], [agent_id]
    if filters.statuses:
        conditions.append(f"status IN ({', '.join('?' for _ in filters.statuses)})")
        params.extend(filters.statuses)
    exact = (("batch_id", filters.batch_id), ("example_name", filters.example_name))
    for column, value in exact:
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    if filters.example_name_contains is not None:
        conditions.append("instr(lower(coalesce(example_name, '')), ?) > 0")
        params.append(filters.example_name_contains.lower())
    _add_range(conditions, params, "created_at", filters.created_after, filters.created_before)
    _add_range(
        conditions, params, "completed_at", filters.completed_after, filters.completed_before
    )
    return conditions, params


def _review_conditions(filters: ExecutionFilters) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    if filters.feedback_status is not None:
        conditions.append("fb_exists = 1 AND fb_status = ?")
        params.append(filters.feedback_status)
    if filters.feedback_rating == "none":
        conditions.append("fb_rating IS NULL")
    elif filters.feedback_rating is not None:
        conditions.append("fb_exists = 1 AND fb_rating = ?")
        params.append(filters.feedback_rating)
    _add_flag(conditions, filters.has_feedback, "fb_exists = 1")
    _add_flag(conditions, filters.no_feedback, "fb_exists = 0")
    _add_flag(conditions, filters.has_expected_json, "expected IS NOT NULL")
    _add_flag(conditions, filters.has_expected_files, _EXPECTED_FILES)
    _add_flag(conditions, filters.has_expected, f"(expected IS NOT NULL OR {_EXPECTED_FILES})")
    _add_flag(conditions, filters.promoted_to_example, "fb_promoted IS NOT NULL")
    if filters.feedback_body_contains is not None:
        conditions.append("fb_exists = 1 AND instr(lower(coalesce(fb_body, '')), ?) > 0")
        params.append(filters.feedback_body_contains.lower())
    if filters.promoted_example_name is not None:
        conditions.append("fb_promoted = ?")
        params.append(filters.promoted_example_name)
    for name, (after, before) in filters.feedback_ranges.items():
        _add_range(conditions, params, _FEEDBACK_RANGE_COLUMNS[name], after, before)
    return conditions, params


def _add_flag(conditions: list[str], flag: bool | None, condition: str) -> None:
    if flag is True:
        conditions.append(condition)
    elif flag is False:
        conditions.append(f"NOT ({condition})")


def _add_range(
    conditions: list[str], params: list[Any], column: str, after: str | None, before: str | None
) -> None:
    # Timestamps are stored in one fixed-width UTC format, so text order is time order.
    if after is not None:
        conditions.append(f"{column} >= ?")
        params.append(after)
    if before is not None:
        conditions.append(f"{column} <= ?")
        params.append(before)


def _order_by(filters: ExecutionFilters) -> str:
    column = SORT_COLUMNS[filters.sort]
    direction = "DESC" if filters.order == "desc" else "ASC"
    # Executions with no value (e.g. not completed yet) go last in either direction.
    return f"({column} IS NULL), {column} {direction}, seq {direction}"
