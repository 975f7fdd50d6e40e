"""Serving a new GuardDuty REST path with a handler of an extension.

moto has no route for the operations the extensions add (ListFindings, ListCoverage, ...); each
extension registers its paths here, before moto's server builds its URL map.
"""

from __future__ import annotations

from collections.abc import Callable

from moto.guardduty import urls
from moto.guardduty.responses import GuardDutyResponse


def add_route(suffix: str, name: str, handler: Callable[[GuardDutyResponse], str]) -> None:
    """Serve ``POST /detector/{detectorId}/<suffix>`` with ``handler`` as action ``name``.

    moto routes a GuardDuty request to the ``GuardDutyResponse`` method named after the
    operation that botocore's model finds for the path, so the handler becomes that method;
    the path must also be one of moto's URL patterns (read when the server app is created).
    """
    urls.url_paths[f"{{0}}/detector/(?P<detector_id>[^/]+)/{suffix}$"] = GuardDutyResponse.dispatch
    setattr(GuardDutyResponse, name, handler)
