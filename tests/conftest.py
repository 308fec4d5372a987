"""Settings shared by the whole suite."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Properties, not speed: no per-example deadline and no slow-data health check, since the suite
# runs on busy 2-core machines. On CI the examples are drawn from a fixed seed so that a landing
# is reproducible; developers' runs keep exploring new examples.
settings.register_profile(
    "evalkit",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("evalkit-ci", parent=settings.get_profile("evalkit"), derandomize=True)
settings.load_profile("evalkit-ci" if os.environ.get("CI") else "evalkit")
