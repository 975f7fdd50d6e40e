"""Filters: the tags kept for each filter (moto drops them), and the finding attributes that
CreateFilter and UpdateFilter accept (see the package's docstring, "Filters" and "Tags").
"""

from __future__ import annotations

import functools
import re

import botocore.loaders
from moto.guardduty.models import Detector
from moto.guardduty.responses import GuardDutyResponse

from guardduty_ecs_emulator.core.errors import BadRequestException
from guardduty_ecs_emulator.core.state import state_of


def filter_tags(detector: Detector) -> dict[str, dict[str, str]]:
    return state_of(detector, "filter_tags", dict)


# Listed under CreateFilter's FindingCriteria by later copies of the GuardDuty model (the AWS SDK
# for Ruby's) than the botocore some machines install: AWS accepts them, so the emulator does too.
LATER_MODEL_FILTER_ATTRIBUTES = frozenset(
    {
        "service.action.dnsRequestAction.vpcOwnerAccountId",
        "service.runtimeDetails.process.executablePath",
    }
)


@functools.cache
def filter_attributes() -> frozenset[str]:
    """The finding attributes CreateFilter accepts, read from botocore's GuardDuty model (the
    emulator's own reading): the documentation of ``CreateFilterRequest.FindingCriteria`` says "You
    can only use the following attributes to query findings:" and lists them, one
    ``<li> <p>attribute</p>`` each (the nested severity band items are not attribute names)."""
    model = botocore.loaders.create_loader().load_service_model("guardduty", "service-2")
    text = model["shapes"]["CreateFilterRequest"]["members"]["FindingCriteria"]["documentation"]
    listed = text.split("You can only use the following attributes to query findings:", 1)[-1]
    documented = frozenset(re.findall(r"<li>\s*<p>([A-Za-z0-9.]+)</p>", listed))
    return documented | LATER_MODEL_FILTER_ATTRIBUTES


def check_filter_attributes(response: GuardDutyResponse) -> None:
    """CreateFilter and UpdateFilter reject a criterion on any other attribute than
    ``filter_attributes()`` with BadRequestException (the error code the API reference gives
    CreateFilter for a bad request; the message is **chosen**: no AWS text was found). ListFindings
    is not checked: its model says "Valid values include: JSON field name", so any path."""
    criterion = (response._get_param("findingCriteria") or {}).get("criterion") or {}
    unknown = sorted(set(criterion) - filter_attributes())
    if unknown:
        raise BadRequestException(
            "The request is rejected because filters cannot use the finding attribute(s) "
            f"{', '.join(unknown)}: only the attributes the CreateFilter API reference lists "
            "under FindingCriteria can be used."
        )
