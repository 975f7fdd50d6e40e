"""Where findings hook into moto: the routes of the finding calls, the emulator's clock on moto's
control API (and its reset), and the thread that publishes due updates as time passes.
"""

from __future__ import annotations

import threading

from moto.moto_api._internal import urls as moto_api_urls
from moto.moto_api._internal.models import MotoAPIBackend

from guardduty_ecs_emulator.core.clock import CLOCK
from guardduty_ecs_emulator.core.routing import add_route
from guardduty_ecs_emulator.services.guardduty.findings.api import (
    advance_clock,
    archive_findings,
    create_sample_findings,
    get_findings,
    list_findings,
    unarchive_findings,
)
from guardduty_ecs_emulator.services.guardduty.findings.model import publish_as_time_passes


def install() -> None:
    """Add CreateSampleFindings, ListFindings, GetFindings, ArchiveFindings and
    UnarchiveFindings to moto's GuardDuty, and the emulator's clock to moto's control API."""
    add_route("findings/create", "create_sample_findings", create_sample_findings)
    add_route("findings/archive", "archive_findings", archive_findings)
    add_route("findings/unarchive", "unarchive_findings", unarchive_findings)
    add_route("findings/get", "get_findings", get_findings)
    add_route("findings", "list_findings", list_findings)
    moto_api_urls.url_paths["{0}/moto-api/guardduty-ecs/clock"] = advance_clock
    # A reset of the emulator (moto's /moto-api/reset) also brings its clock back to real time.
    original_reset = MotoAPIBackend.reset

    def reset(self: MotoAPIBackend) -> None:
        original_reset(self)
        CLOCK.reset()

    MotoAPIBackend.reset = reset  # type: ignore[method-assign]
    threading.Thread(target=publish_as_time_passes, daemon=True, name="finding-updates").start()
