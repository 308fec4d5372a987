"""The execution list: base filters and sort in SQL, review filters over a scan window (A5, B6).

Review filters (feedback and expected) look only at the first ``scan_limit`` executions that
pass the base filters, in the requested order; ``scan_limited`` says the window was full.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evalkit.api import ExecutionListParams, ExecutionSort, SortOrder, comma_list
from evalkit.emulator.store.db import Database, placeholders
from evalkit.emulator.store.executions import ExecutionRecord

#: the scan window when the query gives none (B6)
DEFAULT_SCAN_LIMIT = 500

SORT_COLUMNS = {
    "createdAt": "created_at",
    "completedAt": "completed_at",
    "status": "status",
    "exampleName": "example_name",
}


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


def list_executions(
    db: Database, agent_id: str, filters: ExecutionListParams, *, limit: int, offset: int
) -> ExecutionPage:
    """``filters`` as the platform parsed them: rules met, timestamps in the stored form."""
    base, params = _base_conditions(agent_id, filters)
    scan_limit = filters.get("scan_limit") or DEFAULT_SCAN_LIMIT
    if filters.get("since_last_resolved"):
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
            f"SELECT count(*) FROM ({window})", [*params, scan_limit + 1]
        ).fetchone()[0]
        matching = f"SELECT * FROM ({window}) AS executions WHERE {' AND '.join(review)}"
        window_params = [*params, scan_limit, *review_params]
        total = conn.execute(f"SELECT count(*) FROM ({matching})", window_params).fetchone()[0]
        rows = conn.execute(
            f"{matching} ORDER BY {order_by} LIMIT ? OFFSET ?", [*window_params, limit, offset]
        ).fetchall()
    return ExecutionPage(
        [ExecutionRecord(r) for r in rows],
        int(total),
        scan_limited=int(scanned) > scan_limit,
        no_resolved_anchor=False,
    )


def _base_conditions(agent_id: str, filters: ExecutionListParams) -> tuple[list[str], list[Any]]:
    conditions, params = ["agent_id = ?"], [agent_id]
    statuses = comma_list(filters.get("status"))
    if statuses:
        conditions.append(f"status IN ({placeholders(len(statuses))})")
        params.extend(statuses)
    exact = (("batch_id", filters.get("batch_id")), ("example_name", filters.get("example_name")))
    for column, value in exact:
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    _add_contains(conditions, params, "example_name", filters.get("example_name_contains"))
    after, before = filters.get("created_after"), filters.get("created_before")
    _add_range(conditions, params, "created_at", after, before)
    after, before = filters.get("completed_after"), filters.get("completed_before")
    _add_range(conditions, params, "completed_at", after, before)
    return conditions, params


def _review_conditions(filters: ExecutionListParams) -> tuple[list[str], list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    feedback_status, rating = filters.get("feedback_status"), filters.get("feedback_rating")
    if feedback_status is not None:
        conditions.append("fb_exists = 1 AND fb_status = ?")
        params.append(feedback_status)
    if rating == "none":
        conditions.append("fb_rating IS NULL")
    elif rating is not None:
        conditions.append("fb_exists = 1 AND fb_rating = ?")
        params.append(rating)
    _add_flag(conditions, filters.get("has_feedback"), "fb_exists = 1")
    _add_flag(conditions, filters.get("no_feedback"), "fb_exists = 0")
    _add_flag(conditions, filters.get("has_expected_json"), "expected IS NOT NULL")
    _add_flag(conditions, filters.get("has_expected_files"), _EXPECTED_FILES)
    has_expected = f"(expected IS NOT NULL OR {_EXPECTED_FILES})"
    _add_flag(conditions, filters.get("has_expected"), has_expected)
    _add_flag(conditions, filters.get("promoted_to_example"), "fb_promoted IS NOT NULL")
    body_contains = filters.get("feedback_body_contains")
    if body_contains is not None:
        conditions.append("fb_exists = 1")
        _add_contains(conditions, params, "fb_body", body_contains)
    if filters.get("promoted_example_name") is not None:
        conditions.append("fb_promoted = ?")
        params.append(filters.get("promoted_example_name"))
    after, before = filters.get("feedback_created_after"), filters.get("feedback_created_before")
    _add_range(conditions, params, "fb_created_at", after, before)
    after, before = filters.get("feedback_updated_after"), filters.get("feedback_updated_before")
    _add_range(conditions, params, "fb_updated_at", after, before)
    after, before = filters.get("feedback_resolved_after"), filters.get("feedback_resolved_before")
    _add_range(conditions, params, "fb_resolved_at", after, before)
    return conditions, params


def _add_contains(conditions: list[str], params: list[Any], column: str, text: str | None) -> None:
    """``column`` holds ``text``, in any case."""
    if text is not None:
        conditions.append(f"instr(lower(coalesce({column}, '')), ?) > 0")
        params.append(text.lower())


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


def _order_by(filters: ExecutionListParams) -> str:
    column = SORT_COLUMNS[filters.get("sort") or ExecutionSort.CREATED_AT.value]
    order = filters.get("order") or SortOrder.DESC.value
    direction = "DESC" if order == SortOrder.DESC.value else "ASC"
    # Executions with no value (e.g. not completed yet) go last in either direction.
    return f"({column} IS NULL), {column} {direction}, seq {direction}"
