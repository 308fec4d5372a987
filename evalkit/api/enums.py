"""The closed vocabularies of the v1 API."""

from __future__ import annotations

from enum import Enum


class ExecutionStatus(str, Enum):
    CREATED = "created"
    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
        ExecutionStatus.CANCELLED,
        ExecutionStatus.REJECTED,
    }
)


class FeedbackRating(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    PARTIAL = "partial"


class FeedbackStatus(str, Enum):
    OPEN = "open"
    RESOLVED = "resolved"
    IGNORED = "ignored"


class FileKind(str, Enum):
    """Kinds of execution files for ``download_file``."""

    INPUT = "input"
    OUTPUT = "output"
    ISSUES = "issues"
    TRACE = "trace"


class ExecutionSort(str, Enum):
    CREATED_AT = "createdAt"
    COMPLETED_AT = "completedAt"
    STATUS = "status"
    EXAMPLE_NAME = "exampleName"


class SortOrder(str, Enum):
    ASC = "asc"
    DESC = "desc"


class WorkflowKind(str, Enum):
    WORKFLOW = "workflow"
    BLOCK = "block"


class WorkflowCancelStatus(str, Enum):
    CANCELLED = "cancelled"
    CANCELLATION_REQUESTED = "cancellation-requested"
    ALREADY_TERMINAL = "already-terminal"


class IssueSeverity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class ErrorCode(str, Enum):
    """Envelope codes known to the contract; servers may send others."""

    INVALID_VALUE = "invalid_value"
    NOT_FOUND = "not_found"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    API_TRIGGER_DISABLED = "api_trigger_disabled"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    INTERNAL = "internal"
