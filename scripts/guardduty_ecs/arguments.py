"""Arguments and files, checked before any AWS call: numbers of seconds, finding types, and the
outputs file of ``terraform output -json``. Each check raises ``UserError`` (exit 2) with what is
wrong and how to put it right."""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
from functools import cache
from typing import Any, TextIO

import botocore.session

from guardduty_ecs.errors import UserError
from guardduty_ecs.events import ATTACK_SEQUENCE_FINDING_TYPES, RUNTIME_FINDING_TYPES

# The documented form of a finding type: <ThreatPurpose>:<ResourceType>/<ThreatFamilyName>
# [.<DetectionMechanism>][!<Artifact>] ("GuardDuty finding format", user guide).
FINDING_TYPE = re.compile(
    r"^[A-Za-z0-9]+:[A-Za-z0-9]+/[A-Za-z0-9&_-]+(\.[A-Za-z0-9&_-]+)*(![A-Za-z0-9]+)?$"
)
# The families whose every type the product knows: a name of these not in the list is a typo.
KNOWN_TYPES = {
    "Runtime": RUNTIME_FINDING_TYPES,
    "AttackSequence": ATTACK_SEQUENCE_FINDING_TYPES,
}


def positive_seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text!r}")
    return value


@cache
def _finding_type_length() -> int:
    """The longest finding type botocore's model of GuardDuty allows (FindingType's max)."""
    model = botocore.session.get_session().get_service_model("guardduty")
    return int(model.shape_for("FindingType").metadata.get("max", 50))


def _family(finding_type: str) -> tuple[str, ...]:
    purpose, _, rest = finding_type.partition(":")
    resource = rest.partition("/")[0]
    return KNOWN_TYPES.get(resource) or KNOWN_TYPES.get(purpose) or ()


def check_finding_type(finding_type: str) -> str:
    """``finding_type`` if it has the documented form and, in a family the product knows
    (Runtime Monitoring, attack sequences), is one of its types; else a UserError naming the
    closest known types."""
    known = (*RUNTIME_FINDING_TYPES, *ATTACK_SEQUENCE_FINDING_TYPES)
    family = _family(finding_type)
    wrong = ""
    if len(finding_type) > _finding_type_length():
        wrong = f"is longer than GuardDuty's {_finding_type_length()} characters"
    elif not FINDING_TYPE.match(finding_type):
        wrong = "is not of the form <ThreatPurpose>:<ResourceType>/<ThreatFamily>"
    elif family and finding_type not in family:
        wrong = "is not a GuardDuty finding type of its family"
    if not wrong:
        return finding_type
    closest = difflib.get_close_matches(finding_type, family or known, n=3, cutoff=0.5)
    raise UserError(
        f"--finding-type: {finding_type!r} {wrong}"
        + (f"; did you mean {', '.join(closest)}?" if closest else ""),
        fix="give a type of the GuardDuty user guide, such as Execution:Runtime/ReverseShell "
        "(the README's drill section lists the defaults)",
    )


def check_finding_types(values: list[str] | None) -> list[str]:
    """The finding types given, each checked, each once, in their order."""
    return list(dict.fromkeys(check_finding_type(value) for value in values or []))


def read_json_object(source: str, stdin: TextIO) -> dict[str, Any]:
    """The JSON object of ``terraform output -json`` in a file (``-`` for standard input):
    UTF-8, JSON, an object; else a UserError saying which."""
    name = "standard input" if source == "-" else source
    try:
        if source == "-":
            text = stdin.read()
        else:
            with open(source, encoding="utf-8") as file:
                text = file.read()
    except UnicodeDecodeError as error:
        raise UserError(
            f"--outputs: {name} is not UTF-8 text ({error.reason} at byte {error.start})",
            fix="write it with `terraform output -json > FILE` (UTF-8)",
        ) from error
    except OSError as error:
        raise UserError(
            f"--outputs: cannot read {name}: {error.strerror or error}",
            fix="give the path of a file that `terraform output -json > FILE` wrote",
        ) from error
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"the outputs are not JSON (terraform output -json): {error}",
            fix="give the file that `terraform output -json > FILE` wrote, or use --terraform-dir",
        ) from error
    if not isinstance(document, dict):
        raise UserError(
            f"the outputs must be a JSON object, as terraform output -json writes, not a "
            f"{type(document).__name__}",
            fix="give the file that `terraform output -json > FILE` wrote",
        )
    return document
