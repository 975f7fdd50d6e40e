"""Each validation rule rejects its bad value at plan time, saying what is allowed.

Each case runs against the root module (the public interface) and the submodule that declares the
input. The rule lives once, in the submodule; the root passes the value through, so its error is
the submodule's message, shown at the line of the root's main.tf that passes the root input (for
the `alerts` object, `= var.alerts.<input>`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import tftest

from guardduty_ecs_bench.harness import Workbench
from guardduty_ecs_bench.inventory import (
    SHARED_PLAN_GROUP,
    Clients,
    PlanCase,
    Prepare,
    SharedPlan,
    planned_resources,
    prepare_cases,
    write_plan_root,
)
from guardduty_ecs_bench.validation import Case, judge
from guardduty_ecs_emulator import EmulatorProcess

pytestmark = pytest.mark.plan

RUNTIME_MONITORING_MODULES = [".", "modules/runtime-monitoring"]

# How each module that takes the alerts inputs receives them, and how its error names the input it
# was given: module -> (variables from the inputs of modules/alerts, the root's reference to it).
ALERTS_MODULES: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], str | None]] = {
    ".": (lambda inputs: {"alerts": inputs}, "= var.alerts."),
    "modules/alerts": (lambda inputs: inputs, None),
}

# Inputs of modules/runtime-monitoring: (case id, variables, a fragment of the error message)
BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "detector_id_format",
        {"create_detector": False, "detector_id": "ABC"},
        "detector_id must be 32 lowercase hexadecimal characters",
    ),
    (
        "detector_id_uppercase",
        {"create_detector": False, "detector_id": "A" * 32},
        "detector_id must be 32 lowercase hexadecimal characters",
    ),
    (
        "detector_id_missing_when_adopting",
        {"create_detector": False},
        "detector_id is required when create_detector is false",
    ),
    (
        "detector_id_given_when_creating",
        {"detector_id": "0" * 32},
        "detector_id is only used when create_detector is false",
    ),
    (
        "finding_publishing_frequency",
        {"finding_publishing_frequency": "HOURLY"},
        "finding_publishing_frequency must be one of FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS",
    ),
    (
        "agent_management_without_runtime_monitoring",
        {"runtime_monitoring": {"enabled": False}},
        "agent management (ecs_fargate_agent_management, ec2_agent_management, "
        "eks_addon_management) only works with Runtime Monitoring on",
    ),
    ("tags_reserved_prefix", {"tags": {"aws:owner": "x"}}, 'must not start with "aws:"'),
    ("tags_long_value", {"tags": {"Owner": "x" * 257}}, "values at most 256 characters"),
]

EMAIL_FORMAT = (
    "email_addresses: every entry must be one plain e-mail address such as secops@example.com "
    "(no display name, no spaces, no lists)."
)
SEVERITY_RANGE = (
    "min_severity must be between 1.0 and 10.0 (GuardDuty's severity scale); "
    "4 means Medium and above, 7 High and above."
)
COVERAGE_TYPES = (
    "coverage_resource_types must list one or more of ECS, EC2 and EKS; "
    "to turn coverage alerts off set notify_on_unhealthy and notify_on_healthy to false."
)
TOPIC_ARN = (
    "sns_topic_arn must be the ARN of a standard SNS topic, "
    "arn:<partition>:sns:<region>:<12-digit account>:<name> (FIFO topics are not supported), "
    "or null to create a topic."
)
KEY_ARN = (
    "kms_key_arn must be a KMS key ARN, "
    "arn:<partition>:kms:<region>:<12-digit account>:key/<key id> "
    "(not an alias, not a bare key ID), or null to create a key."
)
NAME_FORMAT = (
    "name must be 1-40 characters of letters, digits, hyphens and underscores "
    "(it prefixes rule, topic, queue, alarm and key alias names)."
)
SLACK = {"name": "secops", "workspace_id": "T0123ABCD", "channel_id": "C0123ABCD"}
TEAMS = {
    "name": "secops",
    "tenant_id": "11111111-2222-3333-4444-555555555555",
    "team_id": "66666666-7777-8888-9999-000000000000",
    "channel_id": "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2",
}
ROUTING_KEY_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pagerduty-AbCdEf"
SLACK_WORKSPACE = (
    "chat.slack: workspace_id must be the ID of a Slack workspace authorized in the Amazon Q "
    "Developer in chat applications console: T followed by uppercase letters and digits"
)
SLACK_CHANNEL = (
    "chat.slack: channel_id must be a Slack channel ID: C (public and newer private channels) or "
    "G (older private channels) followed by uppercase letters and digits"
)
TEAMS_IDS = "chat.teams: tenant_id and team_id must be GUIDs"
TEAMS_CHANNEL = "chat.teams: channel_id must be the URL-encoded channel ID from the channel's link"
CHAT_BAND = (
    "chat.min_severity or min_severity lies inside a severity band above the lowest threshold "
    "of the channels"
)
PAGERDUTY_BAND = (
    "pagerduty.min_severity, chat.min_severity or min_severity lies inside a severity band above "
    "the lowest threshold of the channels"
)

# (case id, inputs of modules/alerts, the expected error message as modules/alerts words it)
ALERTS_BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("email_not_an_address", {"email_addresses": ["not-an-email"]}, EMAIL_FORMAT),
    ("email_display_name", {"email_addresses": ["Name <a@b.com>"]}, EMAIL_FORMAT),
    (
        "email_duplicate_ignoring_case",
        {"email_addresses": ["secops@example.com", "SecOps@Example.com"]},
        "email_addresses: an address appears more than once (comparison ignores case); "
        "list each address once.",
    ),
    (
        "finding_type_without_purpose",
        {"finding_types": ["Runtime/NewBinaryExecuted"]},
        "finding_types: every entry must be a GuardDuty finding type of the form "
        'ThreatPurpose:ResourceType/ThreatName, such as "Execution:Runtime/NewBinaryExecuted" '
        'or "Backdoor:Runtime/C&CActivity.B!DNS".',
    ),
    ("min_severity_too_low", {"min_severity": 0.5}, SEVERITY_RANGE),
    ("min_severity_too_high", {"min_severity": 10.5}, SEVERITY_RANGE),
    ("coverage_resource_type_unknown", {"coverage_resource_types": ["LAMBDA"]}, COVERAGE_TYPES),
    ("coverage_resource_types_empty", {"coverage_resource_types": []}, COVERAGE_TYPES),
    ("sns_topic_arn_not_an_arn", {"sns_topic_arn": "alerts"}, TOPIC_ARN),
    (
        "sns_topic_arn_fifo",
        {"sns_topic_arn": "arn:aws:sns:us-east-1:123456789012:alerts.fifo"},
        TOPIC_ARN,
    ),
    ("kms_key_arn_alias", {"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:alias/x"}, KEY_ARN),
    ("kms_key_arn_bare_key_id", {"kms_key_arn": "11111111-2222-3333-4444-555555555555"}, KEY_ARN),
    (
        "retry_event_age_too_short",
        {"retry_policy": {"maximum_event_age_in_seconds": 30}},
        "retry_policy.maximum_event_age_in_seconds must be a whole number of seconds "
        "from 60 to 86400.",
    ),
    (
        "retry_attempts_too_many",
        {"retry_policy": {"maximum_retry_attempts": 186}},
        "retry_policy.maximum_retry_attempts must be a whole number from 0 to 185.",
    ),
    ("name_too_long", {"name": "a" * 41}, NAME_FORMAT),
    ("name_with_space", {"name": "guardduty alerts"}, NAME_FORMAT),
    (
        "chat_slack_workspace_name",
        {"chat": {"slack": [{**SLACK, "workspace_id": "secops-workspace"}]}},
        SLACK_WORKSPACE,
    ),
    (
        "chat_slack_channel_name",
        {"chat": {"slack": [{**SLACK, "channel_id": "#secops"}]}},
        SLACK_CHANNEL,
    ),
    (
        "chat_teams_tenant_not_a_guid",
        {"chat": {"teams": [{**TEAMS, "tenant_id": "contoso"}]}},
        TEAMS_IDS,
    ),
    (
        "chat_teams_channel_not_encoded",
        {"chat": {"teams": [{**TEAMS, "channel_id": "19:0123@thread.tacv2"}]}},
        TEAMS_CHANNEL,
    ),
    (
        "chat_teams_team_twice",
        {"chat": {"teams": [TEAMS, {**TEAMS, "name": "secops-2"}]}},
        "chat.teams: two channels name the same team_id",
    ),
    (
        "chat_channel_name_twice",
        {"chat": {"slack": [SLACK, {**SLACK, "channel_id": "C0123ABCE"}]}},
        "chat: a channel name appears more than once in slack or in teams",
    ),
    (
        "chat_channel_name_with_space",
        {"chat": {"slack": [{**SLACK, "name": "sec ops"}]}},
        "chat: every channel name must be 1-64 letters, digits, hyphens or underscores",
    ),
    (
        "chat_min_severity_too_high",
        {"chat": {"min_severity": 11}},
        "chat.min_severity must be between 1.0 and 10.0",
    ),
    ("chat_min_severity_inside_a_band", {"chat": {"min_severity": 7.5}}, CHAT_BAND),
    (
        "email_min_severity_inside_a_band_above_chat",
        {"chat": {"min_severity": 1}, "min_severity": 5},
        CHAT_BAND,
    ),
    (
        "pagerduty_routing_key_instead_of_its_secret",
        {"pagerduty": {"routing_key_secret_arn": "0123456789abcdef0123456789abcdef"}},
        "pagerduty.routing_key_secret_arn must be the ARN of a Secrets Manager secret",
    ),
    (
        "pagerduty_json_key_with_colon",
        {
            "pagerduty": {
                "routing_key_secret_arn": ROUTING_KEY_SECRET,
                "routing_key_json_key": "pagerduty:routing_key",
            }
        },
        "pagerduty.routing_key_json_key must be 1-256 characters without colons or braces",
    ),
    (
        "pagerduty_version_stage_instead_of_id",
        {
            "pagerduty": {
                "routing_key_secret_arn": ROUTING_KEY_SECRET,
                "routing_key_version_id": "AWSCURRENT",
            }
        },
        "pagerduty.routing_key_version_id must be a Secrets Manager version ID",
    ),
    (
        "pagerduty_min_severity_too_low",
        {"pagerduty": {"routing_key_secret_arn": ROUTING_KEY_SECRET, "min_severity": 0}},
        "pagerduty.min_severity must be between 1.0 and 10.0",
    ),
    (
        "pagerduty_min_severity_inside_a_band",
        {"pagerduty": {"routing_key_secret_arn": ROUTING_KEY_SECRET, "min_severity": 8}},
        PAGERDUTY_BAND,
    ),
    (
        "chat_min_severity_inside_a_band_above_pagerduty",
        {
            "pagerduty": {"routing_key_secret_arn": ROUTING_KEY_SECRET, "min_severity": 4},
            "chat": {"min_severity": 5},
            "min_severity": 7,
        },
        PAGERDUTY_BAND,
    ),
]


VPC_ENDPOINT_MODULE = "modules/vpc-endpoint"
# Well-formed inputs of modules/vpc-endpoint that each case below spoils once.
VPC_ENDPOINT_INPUTS = {
    "vpc_id": "vpc-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
}
VPC_ID_FORMAT = (
    'vpc_id must be a VPC ID: "vpc-" followed by 8 or 17 lowercase hexadecimal characters, '
    "such as vpc-0123456789abcdef0."
)
SUBNET_IDS_FORMAT = (
    'subnet_ids must list at least one subnet ID, each "subnet-" followed by 8 or 17 lowercase '
    "hexadecimal characters, such as subnet-0123456789abcdef0."
)
ORGANIZATION_ID_FORMAT = (
    'organization_id must be an organization ID: "o-" followed by 10 to 32 lowercase letters or '
    "digits, such as o-a1b2c3d4e5; or null to allow only this account."
)
SECURITY_GROUP_NAME_FORMAT = (
    "security_group_name must be 1-228 characters of letters, digits, spaces and "
    '._-:/()#,@[]+=&;{}!$* and must not start with "sg-".'
)

# Inputs of modules/vpc-endpoint: (case id, inputs replacing the good ones, the error message)
VPC_ENDPOINT_BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("vpc_id_short", {"vpc_id": "vpc-123"}, VPC_ID_FORMAT),
    ("vpc_id_uppercase", {"vpc_id": "vpc-0123456789ABCDEF0"}, VPC_ID_FORMAT),
    ("vpc_id_of_a_subnet", {"vpc_id": "subnet-0123456789abcdef0"}, VPC_ID_FORMAT),
    ("subnet_ids_empty", {"subnet_ids": []}, SUBNET_IDS_FORMAT),
    ("subnet_ids_not_subnets", {"subnet_ids": ["vpc-0123456789abcdef0"]}, SUBNET_IDS_FORMAT),
    (
        "subnet_ids_one_malformed",
        {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-xyz"]},
        SUBNET_IDS_FORMAT,
    ),
    (
        "subnet_ids_duplicate",
        {"subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]},
        "subnet_ids: a subnet appears more than once; list each subnet once.",
    ),
    ("organization_id_account_number", {"organization_id": "123456789012"}, ORGANIZATION_ID_FORMAT),
    ("organization_id_uppercase", {"organization_id": "o-ABCDEFGHIJ"}, ORGANIZATION_ID_FORMAT),
    ("organization_id_too_short", {"organization_id": "o-abc"}, ORGANIZATION_ID_FORMAT),
    (
        "security_group_name_sg_prefix",
        {"security_group_name": "sg-guardduty"},
        SECURITY_GROUP_NAME_FORMAT,
    ),
    ("security_group_name_quote", {"security_group_name": "agent's"}, SECURITY_GROUP_NAME_FORMAT),
    ("tags_reserved_prefix", {"tags": {"aws:owner": "x"}}, 'must not start with "aws:"'),
]


DETECTOR = "0123456789abcdef0123456789abcdef"
AUTO_ENABLE_VALUES = (
    "runtime_monitoring: auto_enable, ecs_fargate_agent_management, ec2_agent_management and "
    "eks_addon_management must each be ALL, NEW or NONE."
)
LIST_SOURCE = (
    "give each {label} either location (https://s3.amazonaws.com/bucket/key or s3://bucket/key) "
    "or content, not both."
)
CI_FILTER = {"rank": 1, "criteria": {"type": {"equals": ["Execution:Runtime/NewBinaryExecuted"]}}}

# Modules of the organization-wide and detection-control features: module -> (inputs that plan,
# [(case id, inputs replacing them, the error message)]).
FEATURE_BAD_INPUTS: dict[str, tuple[dict[str, Any], list[tuple[str, dict[str, Any], str]]]] = {
    "modules/organization": (
        {"detector_id": DETECTOR},
        [
            (
                "detector_id_format",
                {"detector_id": "0123456789ABCDEF0123456789ABCDEF"},
                "detector_id must be the administrator's detector ID",
            ),
            (
                "auto_enable_organization_members",
                {"auto_enable_organization_members": "SOME"},
                "auto_enable_organization_members must be one of ALL, NEW or NONE.",
            ),
            (
                "runtime_monitoring_boolean",
                {"runtime_monitoring": {"ecs_fargate_agent_management": "true"}},
                AUTO_ENABLE_VALUES,
            ),
            (
                "agents_without_runtime_monitoring",
                {"runtime_monitoring": {"auto_enable": "NONE"}},
                'with auto_enable = "NONE", set every agent management option to NONE as well.',
            ),
            (
                "protection_plan_value",
                {"protection_plans": {"s3_data_events": "ENABLED"}},
                "must each be ALL, NEW or NONE.",
            ),
            (
                "member_account_id",
                {"members": {"1234": {"email": "a@example.com"}}},
                "members: every key must be a 12-digit AWS account ID.",
            ),
            (
                "member_email",
                {"members": {"111122223333": {"email": "root"}}},
                "members: every email must be an e-mail address",
            ),
            (
                "member_agents_without_runtime_monitoring",
                {
                    "members": {
                        "111122223333": {
                            "email": "a@example.com",
                            "runtime_monitoring": {"enabled": False},
                        }
                    }
                },
                "members: a member's agent management options only work with its Runtime "
                "Monitoring on",
            ),
            (
                "member_association_wait_fraction",
                {"member_association_wait_seconds": 2.5},
                "member_association_wait_seconds must be a whole number of seconds from 0 (no "
                "wait) to 600.",
            ),
        ],
    ),
    "modules/organization-admin-account": (
        {"admin_account_id": "111122223333"},
        [
            (
                "admin_account_id",
                {"admin_account_id": "1111-2222-3333"},
                "admin_account_id must be a 12-digit AWS account ID",
            ),
        ],
    ),
    "modules/detection-controls": (
        {"detector_id": DETECTOR},
        [
            (
                "filter_name",
                {"filters": {"ci": CI_FILTER}},
                "filters: every name must be 3-64 characters",
            ),
            (
                "filter_action",
                {"filters": {"ci-builds": {**CI_FILTER, "action": "SUPPRESS"}}},
                "filters: action must be ARCHIVE (suppress matching findings) or NOOP",
            ),
            (
                "filter_rank_shared",
                {"filters": {"ci-builds": CI_FILTER, "ci-tests": CI_FILTER}},
                "no two filters may share a rank",
            ),
            (
                "filter_rank_range",
                {"filters": {"ci-builds": {**CI_FILTER, "rank": 101}}},
                "every rank must be a whole number from 1 to 100",
            ),
            (
                "filter_empty_criterion",
                {"filters": {"ci-builds": {"rank": 1, "criteria": {"type": {}}}}},
                "every filter needs at least one criterion",
            ),
            (
                "filter_attribute_not_accepted",
                {
                    "filters": {
                        "ci-builds": {
                            "rank": 1,
                            "criteria": {
                                "type": {"equals": ["Execution:Runtime/NewBinaryExecuted"]},
                                "resource.ecsClusterDetails.clusterName": {"equals": ["ci"]},
                            },
                        }
                    }
                },
                'filters: "resource.ecsClusterDetails.clusterName" cannot be used in criteria: '
                "GuardDuty's CreateFilter accepts only the finding attributes its API reference "
                "lists under FindingCriteria",
            ),
            (
                "two_ip_sets",
                {"ip_sets": {"a": {"location": "s3://b/a"}, "b": {"location": "s3://b/b"}}},
                "GuardDuty accepts one trusted IP list per account and region",
            ),
            (
                "seven_threat_lists",
                {"threat_intel_sets": {str(n): {"location": f"s3://b/{n}"} for n in range(7)}},
                "at most six threat lists per account and region",
            ),
            (
                "list_format",
                {"ip_sets": {"office": {"location": "s3://b/k", "format": "CSV"}}},
                "format one of TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT or FIRE_EYE",
            ),
            (
                "list_location_and_content",
                {"ip_sets": {"office": {"location": "s3://b/k", "content": "10.0.0.1"}}},
                LIST_SOURCE.format(label="trusted IP list"),
            ),
            (
                "list_location_not_s3",
                {"threat_intel_sets": {"feed": {"location": "https://example.com/feed.txt"}}},
                LIST_SOURCE.format(label="threat list"),
            ),
            (
                "list_content_without_bucket",
                {"threat_intel_sets": {"feed": {"content": "203.0.113.7"}}},
                "a list given as content needs list_bucket",
            ),
        ],
    ),
    "modules/findings-export": (
        {"detector_id": DETECTOR, "bucket_name": "guardduty-findings-example"},
        [
            (
                "detector_id_missing",
                {"detector_id": None},
                "detector_id is required: give the ID of the detector whose findings are exported",
            ),
            ("bucket_name_missing", {"bucket_name": None}, "bucket_name is required"),
            (
                "bucket_name_uppercase",
                {"bucket_name": "Findings"},
                "bucket_name must be an S3 bucket name",
            ),
            (
                "prefix_slash",
                {"prefix": "/guardduty/"},
                "prefix must be one or more S3 key segments separated by '/'",
            ),
            (
                "kms_key_alias",
                {"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:alias/findings"},
                "an alias is not accepted by GuardDuty",
            ),
            (
                "expiration_days_negative",
                {"expiration_days": -1},
                "expiration_days must be a whole number of days",
            ),
        ],
    ),
    "examples/multi-region": (
        {},
        [
            (
                "three_regions",
                {"regions": ["us-east-1", "us-west-2", "eu-west-1"]},
                "regions must name four different AWS regions",
            ),
            (
                "repeated_region",
                {"regions": ["us-east-1", "us-east-1", "eu-west-1", "eu-west-2"]},
                "regions must name four different AWS regions",
            ),
        ],
    ),
}


def _bad_input_cases() -> Iterator[Any]:
    """(module, variables, the fragments its error must contain)."""
    for module in RUNTIME_MONITORING_MODULES:
        for case, tf_vars, message in BAD_INPUTS:
            yield pytest.param(module, tf_vars, [message], id=f"{case}-{module}")
    for module, (to_variables, root_reference) in ALERTS_MODULES.items():
        for case, inputs, message in ALERTS_BAD_INPUTS:
            fragments = [message]
            if root_reference:
                fragments.append(root_reference + next(iter(inputs)))
            yield pytest.param(
                module, to_variables(inputs), fragments, id=f"alerts_{case}-{module}"
            )
    for module, (good_inputs, cases) in FEATURE_BAD_INPUTS.items():
        for case, inputs, message in cases:
            yield pytest.param(module, {**good_inputs, **inputs}, [message], id=f"{case}-{module}")
    for case, inputs, message in VPC_ENDPOINT_BAD_INPUTS:
        yield pytest.param(
            VPC_ENDPOINT_MODULE,
            {**VPC_ENDPOINT_INPUTS, **inputs},
            [message],
            id=f"vpc_endpoint_{case}-{VPC_ENDPOINT_MODULE}",
        )


def _plain(text: str) -> str:
    """Terraform wraps and frames diagnostics; compare words only."""
    return re.sub(r"[\s│╷╵├─]+", " ", text).strip()


BAD_INPUT_CASES = list(_bad_input_cases())


@pytest.fixture(scope="session")
def bad_input_verdicts(offline_workbench: Workbench) -> dict[str, list[str]]:
    """Terraform's diagnostics for every bad-input case, judged in a few Terraform runs (see
    guardduty_ecs.validation) instead of a plan per case."""
    cases = [
        Case(param.id or "", module, tf_vars)
        for param in BAD_INPUT_CASES
        for module, tf_vars, _ in [param.values]
    ]
    return judge(cases, offline_workbench.root, offline_workbench.environment)


# One worker judges every case at once; spread over workers, each would judge them all.
@pytest.mark.xdist_group("bad-input-verdicts")
@pytest.mark.parametrize(("module", "tf_vars", "fragments"), BAD_INPUT_CASES)
def test_bad_input_fails_at_plan(
    bad_input_verdicts: dict[str, list[str]],
    request: pytest.FixtureRequest,
    module: str,
    tf_vars: dict[str, Any],
    fragments: list[str],
) -> None:
    case_id = request.node.callspec.id
    output = _plain(" ".join(bad_input_verdicts[case_id]))
    assert "Invalid value for variable" in output, f"{module} accepted {tf_vars}"
    for fragment in fragments:
        assert _plain(fragment) in output


def _call_name(*parts: str) -> str:
    """A module call name for a shared plan case."""
    return "_".join(re.sub(r"\W+", "_", part).strip("_") or "root" for part in parts)


def _existing_detector(clients: Clients) -> dict[str, Any]:
    """The account's detector (made once: an account has one per region), to adopt."""
    guardduty = clients("guardduty")
    detector_ids = guardduty.list_detectors()["DetectorIds"]
    detector_id = (
        detector_ids[0] if detector_ids else guardduty.create_detector(Enable=True)["DetectorId"]
    )
    return {"create_detector": False, "detector_id": detector_id}


ADOPTION_CASES = {
    module: PlanCase(_call_name("adoption", module), module, prepare=_existing_detector)
    for module in RUNTIME_MONITORING_MODULES
}


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
@pytest.mark.parametrize("module", RUNTIME_MONITORING_MODULES)
def test_valid_adoption_input_passes_validation(
    shared_plans: dict[str, SharedPlan], module: str
) -> None:
    """The adoption inputs that the rules above allow do plan (against an existing detector)."""
    plan = shared_plans[ADOPTION_CASES[module].name].plan
    # The root module also plans its alerts; of GuardDuty itself, only the features.
    types = {
        change["type"]
        for change in plan.resource_changes.values()
        if change["mode"] == "managed" and change["type"].startswith("aws_guardduty_")
    }
    assert types == {"aws_guardduty_detector_feature"}


FINDING_TYPES = ["Execution:Runtime/NewBinaryExecuted", "Backdoor:Runtime/C&CActivity.B!DNS"]
# Inputs at the edges the rules above allow.
EDGE_ALERTS_INPUTS = {
    "email_addresses": ["secops@example.com", "oncall@example.org"],
    "finding_types": FINDING_TYPES,
    "min_severity": 7.5,
    "notify_on_healthy": True,
}
ALERTS_CASES = {
    module: PlanCase(_call_name("alerts", module), module, to_variables(EDGE_ALERTS_INPUTS))
    for module, (to_variables, _) in ALERTS_MODULES.items()
}


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
@pytest.mark.parametrize("module", ALERTS_MODULES)
def test_valid_alerts_input_plans(shared_plans: dict[str, SharedPlan], module: str) -> None:
    """Inputs at the edges the rules above allow plan; 7.5 leaves High from 7.5 and Critical."""
    plan = shared_plans[ALERTS_CASES[module].name].plan
    rules = {
        change["change"]["after"]["name"]: json.loads(change["change"]["after"]["event_pattern"])
        for change in plan.resource_changes.values()
        if change["type"] == "aws_cloudwatch_event_rule"
    }
    assert set(rules) == {
        "guardduty-ecs-runtime-findings-high",
        "guardduty-ecs-runtime-findings-critical",
        "guardduty-ecs-runtime-coverage",
        "guardduty-ecs-runtime-coverage-healthy",
    }
    findings = {
        band: rules[f"guardduty-ecs-runtime-findings-{band}"]["detail"]
        for band in ("high", "critical")
    }
    assert findings["high"]["severity"] == [{"numeric": [">=", 7.5, "<", 9]}]
    assert findings["critical"]["severity"] == [{"numeric": [">=", 9, "<=", 10]}]
    assert all(detail["type"] == FINDING_TYPES for detail in findings.values())
    # One rule per coverage status, as per severity band (PagerDuty triggers on one, resolves on
    # the other).
    assert rules["guardduty-ecs-runtime-coverage"]["detail-type"] == [
        "GuardDuty Runtime Protection Unhealthy"
    ]
    assert rules["guardduty-ecs-runtime-coverage-healthy"]["detail-type"] == [
        "GuardDuty Runtime Protection Healthy"
    ]
    endpoints = sorted(
        change["change"]["after"]["endpoint"]
        for change in plan.resource_changes.values()
        if change["type"] == "aws_sns_topic_subscription"
    )
    assert endpoints == sorted(EDGE_ALERTS_INPUTS["email_addresses"])


def _endpoint_network(
    ec2: Any, *, dns_support: bool = True, dns_hostnames: bool = True
) -> tuple[str, list[str]]:
    """A VPC with a secondary CIDR block and a subnet in each of two zones."""
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": dns_support})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": dns_hostnames})
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="100.64.0.0/16")
    subnet_ids = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in (("10.60.1.0/24", "us-east-1a"), ("100.64.1.0/24", "us-east-1b"))
    ]
    return vpc_id, subnet_ids


def _network_variables(*, dns_support: bool = True, dns_hostnames: bool = True) -> Prepare:
    """Prepares a network of _endpoint_network and returns the endpoint's inputs for it."""

    def prepare(clients: Clients) -> dict[str, Any]:
        vpc_id, subnet_ids = _endpoint_network(
            clients("ec2"), dns_support=dns_support, dns_hostnames=dns_hostnames
        )
        return {"vpc_id": vpc_id, "subnet_ids": subnet_ids}

    return prepare


# (case id, DNS support, DNS hostnames, what the error must say is turned off)
DNS_OFF = [
    ("dns_hostnames_off", True, False, "enable_dns_hostnames"),
    ("dns_support_off", False, True, "enable_dns_support"),
    ("both_off", False, False, "enable_dns_support and enable_dns_hostnames"),
]
DNS_OFF_CASES = {
    case_id: PlanCase(
        _call_name("endpoint", case_id),
        VPC_ENDPOINT_MODULE,
        prepare=_network_variables(dns_support=dns_support, dns_hostnames=dns_hostnames),
    )
    for case_id, dns_support, dns_hostnames, _ in DNS_OFF
}


@pytest.fixture(scope="module")
def dns_off_plan(workbench: Workbench, emulator: EmulatorProcess) -> tuple[str, dict[str, str]]:
    """The failed plan of every DNS_OFF case at once, and each case's VPC.

    A precondition failure fails the whole plan, so these cases are not in the shared plan; one
    plan of them all reports each call's failure.
    """
    emulator.reset()
    cases = prepare_cases(workbench, DNS_OFF_CASES.values())
    try:
        with pytest.raises(tftest.TerraformTestError) as failure:
            workbench.stack(write_plan_root(workbench, cases, ".dns-off-plan")).plan()
    finally:
        emulator.reset()
    output = _plain(" ".join(str(part) for part in failure.value.args))
    return output, {case.name: case.tf_vars["vpc_id"] for case in cases}


@pytest.mark.xdist_group("dns-off-plan")
@pytest.mark.parametrize(
    ("case_id", "turned_off"),
    [pytest.param(case_id, turned_off, id=case_id) for case_id, _, _, turned_off in DNS_OFF],
)
def test_vpc_endpoint_fails_at_plan_without_vpc_dns(
    dns_off_plan: tuple[str, dict[str, str]], case_id: str, turned_off: str
) -> None:
    """GuardDuty requires both DNS attributes; the plan names the VPC and what to turn on."""
    output, vpc_ids = dns_off_plan
    vpc_id = vpc_ids[DNS_OFF_CASES[case_id].name]
    assert "Resource precondition failed" in output
    assert (
        _plain(
            f"VPC {vpc_id} has {turned_off} turned off. GuardDuty requires both "
            "enable_dns_support and enable_dns_hostnames on the VPC for the private DNS of its "
            f"guardduty-data endpoint: turn on {turned_off} (in the VPC's aws_vpc resource, or "
            f"with aws ec2 modify-vpc-attribute --vpc-id {vpc_id}) and plan again."
        )
        in output
    )


# (case id, organization_id, the endpoint policy's condition, its statement ids)
ENDPOINT_POLICIES = [
    (
        "this_account",
        None,
        {"aws:PrincipalAccount": "123456789012"},
        ("AllowThisAccount", "DenyOtherAccounts"),
    ),
    (
        "organization",
        "o-a1b2c3d4e5",
        {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
        ("AllowThisOrganization", "DenyOutsideThisOrganization"),
    ),
]
ENDPOINT_CASES = {
    case_id: PlanCase(
        _call_name("endpoint", case_id),
        VPC_ENDPOINT_MODULE,
        {"organization_id": organization_id} if organization_id else {},
        prepare=_network_variables(),
    )
    for case_id, organization_id, _, _ in ENDPOINT_POLICIES
}
# The same trusted IP list with two contents, as a consumer plans before and after an edit.
LIST_CONTENTS = {"before": "198.51.100.0/24\n", "after": "198.51.100.0/24\n203.0.113.0/24\n"}
LIST_CASES = {
    edit: PlanCase(
        _call_name("detection_controls_list", edit),
        "modules/detection-controls",
        {
            "detector_id": DETECTOR,
            "list_bucket": "lists-example",
            "ip_sets": {"office": {"content": content}},
        },
    )
    for edit, content in LIST_CONTENTS.items()
}
SHARED_PLAN_CASES = [
    *ADOPTION_CASES.values(),
    *ALERTS_CASES.values(),
    *ENDPOINT_CASES.values(),
    *LIST_CASES.values(),
]


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
def test_changed_list_content_changes_the_location_guardduty_reads(
    shared_plans: dict[str, SharedPlan],
) -> None:
    """ "Whenever you add or update an entry in the list's S3 bucket location, you must activate the
    list again" (user guide): new content is a new object, and the set's location changes with it
    (the provider updates the set in place with UpdateIPSet)."""
    locations = {}
    for edit, content in LIST_CONTENTS.items():
        planned = planned_resources(shared_plans[LIST_CASES[edit].name].plan)
        key = planned['aws_s3_object.list["ip-sets/office"]']["key"]
        assert key == f"guardduty/ip-sets/office-{hashlib.md5(content.encode()).hexdigest()}.txt"
        location = planned['aws_guardduty_ipset.this["ip-sets/office"]']["location"]
        assert location == f"https://s3.amazonaws.com/lists-example/{key}"
        locations[edit] = location
    assert locations["before"] != locations["after"]


@pytest.mark.xdist_group(SHARED_PLAN_GROUP)
@pytest.mark.parametrize(
    ("case_id", "condition", "names"),
    [
        pytest.param(case_id, condition, names, id=case_id)
        for case_id, _, condition, names in ENDPOINT_POLICIES
    ],
)
def test_valid_vpc_endpoint_input_plans(
    shared_plans: dict[str, SharedPlan],
    case_id: str,
    condition: dict[str, str],
    names: tuple[str, str],
) -> None:
    """Against a VPC with DNS on: the endpoint, its group from both CIDR blocks, its policy."""
    shared = shared_plans[ENDPOINT_CASES[case_id].name]
    plan = shared.plan
    vpc_id, subnet_ids = shared.tf_vars["vpc_id"], shared.tf_vars["subnet_ids"]
    planned = planned_resources(plan)
    assert sorted(planned) == ["aws_security_group.this[0]", "aws_vpc_endpoint.this[0]"]
    endpoint = planned["aws_vpc_endpoint.this[0]"]
    assert {key: endpoint[key] for key in ("vpc_id", "service_name", "vpc_endpoint_type")} == {
        "vpc_id": vpc_id,
        "service_name": "com.amazonaws.us-east-1.guardduty-data",
        "vpc_endpoint_type": "Interface",
    }
    assert endpoint["private_dns_enabled"] is True
    assert sorted(endpoint["subnet_ids"]) == sorted(subnet_ids)
    # The GuardDuty user guide's form: Allow *, Deny when the principal is from elsewhere.
    assert json.loads(endpoint["policy"])["Statement"] == [
        {
            "Sid": names[0],
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": condition},
        },
        {
            "Sid": names[1],
            "Effect": "Deny",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringNotEquals": condition},
        },
    ]
    group = planned["aws_security_group.this[0]"]
    assert group["vpc_id"] == vpc_id
    assert group["name_prefix"] == "guardduty-data-endpoint-"
    (ingress,) = group["ingress"]
    assert (ingress["protocol"], ingress["from_port"], ingress["to_port"]) == ("tcp", 443, 443)
    assert ingress["cidr_blocks"] == ["10.60.0.0/16", "100.64.0.0/16"]
    assert plan.output_changes["allowed_cidr_blocks"]["after"] == [
        "10.60.0.0/16",
        "100.64.0.0/16",
    ]
