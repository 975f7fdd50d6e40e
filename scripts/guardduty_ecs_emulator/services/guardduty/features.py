"""GuardDuty detector features, as AWS keeps them, for moto's detector model.

moto 5.2.5 stores the ``features`` list of the last ``UpdateDetector`` call verbatim. AWS instead
*merges* a request into the detector's feature set (by feature name, then by additional
configuration name), stamps ``updatedAt``, rejects requests that AWS rejects, and returns the
features and their additional configuration in an order of its own, not the request's:

- Merge. The GuardDuty API reference (UpdateDetector, ``features``): "Provides the features
  that will be updated for the detector." The Terraform provider relies on the merge: every
  ``aws_guardduty_detector_feature`` resource sends one feature and reads it back from
  ``GetDetector``, so without it concurrent feature resources overwrite each other and the
  provider fails with "empty result".
- Order. AWS documents no order; real ``get-detector`` output, quoted by users in
  hashicorp/terraform-provider-aws#36400 ("additional_configuration blocks must be in a
  particular order, else they force replacement on every run"), lists RUNTIME_MONITORING's
  additional configuration as EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT,
  EC2_AGENT_MANAGEMENT whatever the request sent. The emulator returns that order
  (``ADDITIONAL_CONFIGURATION_ORDER``), and the features in the order of real output
  (``FEATURE_ORDER``), so that a module sending any other order shows a replacement on its
  second plan, as on AWS.
- Chosen where AWS is silent: only the features and additional configurations that a request
  has named are returned (AWS also lists the ones never configured, with their defaults).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from moto.guardduty import models

from guardduty_ecs_emulator.core.errors import BadRequestException

# From botocore's GuardDuty model (DetectorFeature / FeatureAdditionalConfiguration enums).
FEATURE_ADDITIONAL_CONFIGURATIONS: dict[str, frozenset[str]] = {
    "S3_DATA_EVENTS": frozenset(),
    "EKS_AUDIT_LOGS": frozenset(),
    "EBS_MALWARE_PROTECTION": frozenset(),
    "RDS_LOGIN_EVENTS": frozenset({"RDS_DATA_RISK"}),
    "LAMBDA_NETWORK_LOGS": frozenset(),
    "EKS_RUNTIME_MONITORING": frozenset({"EKS_ADDON_MANAGEMENT"}),
    "RUNTIME_MONITORING": frozenset(
        {"EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"}
    ),
    "AI_PROTECTION": frozenset(),
    "AI_ANALYST": frozenset(),
}
FEATURE_STATUSES = frozenset({"ENABLED", "DISABLED"})

# The order of GetDetector's output (see the module docstring); names the list does not know
# come last, in the order they were first configured.
FEATURE_ORDER = (
    "CLOUD_TRAIL",
    "DNS_LOGS",
    "FLOW_LOGS",
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "EKS_RUNTIME_MONITORING",
    "LAMBDA_NETWORK_LOGS",
    "RUNTIME_MONITORING",
    "AI_PROTECTION",
    "AI_ANALYST",
)
ADDITIONAL_CONFIGURATION_ORDER = (
    "EKS_ADDON_MANAGEMENT",
    "ECS_FARGATE_AGENT_MANAGEMENT",
    "EC2_AGENT_MANAGEMENT",
    "RDS_DATA_RISK",
)


def _in_aws_order(items: list[dict[str, Any]], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """``items`` (with a ``name``) sorted as AWS lists them; a stable sort keeps unknown ones."""
    return sorted(
        items, key=lambda item: order.index(item["name"]) if item["name"] in order else len(order)
    )


def _timestamp() -> float:
    # The REST-JSON protocol of GuardDuty sends timestamps as epoch seconds.
    return datetime.now(UTC).timestamp()


def validate_feature_request(features: list[dict[str, Any]]) -> None:
    """Reject what the GuardDuty API rejects, with the same kind of message.

    The provider's documentation of ``aws_guardduty_detector_feature``: "Only one of two features
    EKS_RUNTIME_MONITORING or RUNTIME_MONITORING can be added, adding both features will cause an
    error." The feature and additional configuration names are botocore's enums; the wording of
    the messages is the emulator's.
    """
    names = [feature.get("name") for feature in features]
    if "RUNTIME_MONITORING" in names and "EKS_RUNTIME_MONITORING" in names:
        raise BadRequestException(
            "The request is rejected because RUNTIME_MONITORING and EKS_RUNTIME_MONITORING "
            "cannot be configured in the same request."
        )
    for feature in features:
        name = feature.get("name")
        if name not in FEATURE_ADDITIONAL_CONFIGURATIONS:
            raise BadRequestException(f"The request is rejected because feature {name} is invalid.")
        if feature.get("status") not in (None, *FEATURE_STATUSES):
            raise BadRequestException(
                f"The request is rejected because status of {name} is invalid."
            )
        for configuration in feature.get("additionalConfiguration") or []:
            config_name = configuration.get("name")
            if config_name not in FEATURE_ADDITIONAL_CONFIGURATIONS[name]:
                raise BadRequestException(
                    f"The request is rejected because additional configuration {config_name} "
                    f"is not supported for feature {name}."
                )
            if configuration.get("status") not in FEATURE_STATUSES:
                raise BadRequestException(
                    f"The request is rejected because status of {config_name} is invalid."
                )


def merge_features(
    current: list[dict[str, Any]], requested: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return the detector's features after applying ``requested`` the way AWS does."""
    validate_feature_request(requested)
    now = _timestamp()
    merged = {feature["name"]: dict(feature) for feature in current}
    for request in requested:
        feature = merged.setdefault(
            request["name"], {"name": request["name"], "status": "DISABLED"}
        )
        if "status" in request:
            feature["status"] = request["status"]
        feature["updatedAt"] = now
        configurations = {c["name"]: dict(c) for c in feature.get("additionalConfiguration", [])}
        for configuration in request.get("additionalConfiguration") or []:
            configurations[configuration["name"]] = {
                "name": configuration["name"],
                "status": configuration["status"],
                "updatedAt": now,
            }
        if configurations:
            feature["additionalConfiguration"] = _in_aws_order(
                list(configurations.values()), ADDITIONAL_CONFIGURATION_ORDER
            )
    return _in_aws_order(list(merged.values()), FEATURE_ORDER)


# moto's server answers requests on threads. The provider updates each feature of a detector in
# an UpdateDetector request of its own, in parallel (one aws_guardduty_detector_feature per
# feature), and on AWS none is lost: each request is applied whole (no AWS page says so in words;
# it is what every parallel apply of the provider relies on). Without the lock two merges could
# interleave and the later write drop the other's feature: the provider then failed with
# "reading GuardDuty Detector Feature (.../S3_DATA_EVENTS): empty result" under load.
_DETECTOR_UPDATE = threading.Lock()


def install() -> None:
    """Patch moto's GuardDuty detector so that features merge as on AWS."""
    detector_cls = models.Detector
    original_init = detector_cls.__init__
    original_update = detector_cls.update

    def __init__(self: models.Detector, *args: Any, **kwargs: Any) -> None:
        features = kwargs.pop("features", None) or []
        original_init(self, *args, features=[], **kwargs)
        self.features = merge_features([], features)

    def update(
        self: models.Detector,
        enable: bool,
        finding_publishing_frequency: str,
        data_sources: dict[str, Any],
        features: list[dict[str, Any]] | None,
    ) -> None:
        with _DETECTOR_UPDATE:
            merged = merge_features(self.features, features) if features is not None else None
            original_update(self, enable, finding_publishing_frequency, data_sources, None)
            if merged is not None:
                self.features = merged
            self.updated_at = datetime.now()

    detector_cls.__init__ = __init__  # type: ignore[method-assign]
    detector_cls.update = update  # type: ignore[method-assign]
