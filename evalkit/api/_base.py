"""Base classes for wire models: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A closed wire shape: unknown keys from the server are dropped, not kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON body as sent on the wire: camelCase, only the fields that were set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class OpenWireModel(WireModel):
    """An *open* wire shape (marked so in the contract): unknown keys are kept."""

    model_config = ConfigDict(extra="allow")


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds, e.g. ``2026-01-01T00:00:00.000Z``."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO-8601 timestamp (``Z`` or an offset); naive values are taken as UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def utc_now() -> str:
    """The current time as a wire timestamp."""
    return format_timestamp(datetime.now(timezone.utc))
