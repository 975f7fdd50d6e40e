"""The emulator's Runtime Monitoring coverage of ECS clusters: ListCoverage, statistics, events."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guardduty_ecs_emulator import EmulatorProcess
from guardduty_ecs_emulator.services.guardduty.organization.model import member_association_delay

pytestmark = pytest.mark.emulator

ACCOUNT = "123456789012"
MANAGED = [{"key": "GuardDutyManaged", "value": "true"}]
EXCLUDED = [{"key": "GuardDutyManaged", "value": "false"}]
CONTAINERS = [{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 512}]


def _features(agent_management: bool = True) -> list[dict[str, Any]]:
    status = "ENABLED" if agent_management else "DISABLED"
    return [
        {
            "Name": "RUNTIME_MONITORING",
            "Status": "ENABLED",
            "AdditionalConfiguration": [{"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": status}],
        }
    ]


@dataclass
class Stack:
    guardduty: Any
    ecs: Any
    detector_id: str

    def enable(self, agent_management: bool = True) -> None:
        self.guardduty.update_detector(
            DetectorId=self.detector_id, Features=_features(agent_management)
        )

    def service(
        self, cluster: str, tags: list[dict[str, str]] | None = None, family: str | None = None
    ) -> None:
        """A cluster with a Fargate service of one task (task definition ``family`` or its own)."""
        self.ecs.create_cluster(clusterName=cluster, tags=tags or [])
        if family is None:
            family = cluster
            self.ecs.register_task_definition(family=family, containerDefinitions=CONTAINERS)
        self.ecs.create_service(
            cluster=cluster,
            serviceName=cluster,
            taskDefinition=family,
            desiredCount=1,
            launchType="FARGATE",
        )

    def coverage(self, **request: Any) -> list[dict[str, Any]]:
        return [
            resource
            for page in self.guardduty.get_paginator("list_coverage").paginate(
                DetectorId=self.detector_id, **request
            )
            for resource in page["Resources"]
        ]

    def of(self, cluster: str) -> dict[str, Any]:
        (resource,) = [r for r in self.coverage() if r["ResourceId"] == cluster]
        return resource


@pytest.fixture
def stack(aws_client: Callable[[str], Any]) -> Stack:
    guardduty = aws_client("guardduty")
    return Stack(guardduty, aws_client("ecs"), guardduty.create_detector(Enable=True)["DetectorId"])


def _fargate(resource: dict[str, Any]) -> dict[str, Any]:
    return resource["ResourceDetails"]["EcsClusterDetails"]["FargateDetails"]


@pytest.fixture
def coverage_alerts(
    events_to_probe: Callable[[str, dict[str, Any]], Callable[[], list[dict[str, Any]]]],
) -> Callable[[], list[dict[str, Any]]]:
    """A coverage rule publishing to a topic with an SQS subscriber; returns the reader."""
    return events_to_probe(
        "coverage",
        {
            "source": ["aws.guardduty"],
            "detail-type": [
                "GuardDuty Runtime Protection Unhealthy",
                "GuardDuty Runtime Protection Healthy",
            ],
            "detail": {"resourceDetails": {"resourceType": ["ECS"]}},
        },
    )


def test_scaling_a_managed_service_to_zero_and_back_changes_coverage_and_alerts(
    aws_client: Callable[[str], Any], stack: Stack, coverage_alerts
) -> None:
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)[
        "GroupId"
    ]
    stack.enable()
    stack.ecs.create_cluster(clusterName="web", tags=MANAGED)
    stack.ecs.register_task_definition(
        family="web",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=CONTAINERS,
    )
    stack.ecs.create_service(
        cluster="web",
        serviceName="web",
        taskDefinition="web",
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [subnet_id], "securityGroups": [group_id]}
        },
    )
    healthy = stack.of("web")
    assert healthy["CoverageStatus"] == "HEALTHY"
    assert healthy["DetectorId"] == stack.detector_id
    assert healthy["AccountId"] == ACCOUNT
    assert healthy["ResourceDetails"]["ResourceType"] == "ECS"
    assert _fargate(healthy) == {"Issues": [], "ManagementType": "AUTO_MANAGED"}
    assert "Issue" not in healthy
    assert coverage_alerts() == [], "a cluster's first listing is no status change"

    stack.ecs.update_service(cluster="web", service="web", desiredCount=0)
    unhealthy = stack.of("web")
    assert unhealthy["CoverageStatus"] == "UNHEALTHY"
    assert unhealthy["Issue"] == "Agent not reporting"
    assert _fargate(unhealthy)["Issues"] == [
        "Agent not reporting for tasks in TaskDefinition - 'web:1'"
    ]
    assert unhealthy["UpdatedAt"] > healthy["UpdatedAt"]
    (event,) = coverage_alerts()
    assert event["source"] == "aws.guardduty"
    assert event["detail-type"] == "GuardDuty Runtime Protection Unhealthy"
    detail = event["detail"]
    assert (detail["currentStatus"], detail["previousStatus"]) == ("UNHEALTHY", "HEALTHY")
    assert detail["issue"] == "Agent not reporting"
    assert detail["resourceAccountId"] == ACCOUNT
    assert detail["resourceDetails"]["ecsClusterDetails"]["clusterName"] == "web"
    assert detail["resourceDetails"]["ecsClusterDetails"]["fargateDetails"]["issues"] == [
        "Agent not reporting for tasks in TaskDefinition - 'web:1'"
    ]

    stack.ecs.update_service(cluster="web", service="web", desiredCount=1)
    assert stack.of("web")["CoverageStatus"] == "HEALTHY"
    (event,) = coverage_alerts()
    assert event["detail-type"] == "GuardDuty Runtime Protection Healthy"
    assert (event["detail"]["currentStatus"], event["detail"]["previousStatus"]) == (
        "HEALTHY",
        "UNHEALTHY",
    )


def test_excluded_cluster_is_not_covered(stack: Stack) -> None:
    stack.enable()
    stack.service("batch", tags=EXCLUDED)
    resource = stack.of("batch")
    assert resource["CoverageStatus"] == "UNHEALTHY"
    assert resource["Issue"] == "Agent not provisioned"
    assert _fargate(resource) == {
        "Issues": [
            "Services deployed when clusters had exclusion tag are excluded from Runtime "
            "Monitoring. Impacted service name(s): 'batch'"
        ],
        "ManagementType": "DISABLED",
    }


def test_service_deployed_before_runtime_monitoring_needs_a_new_deployment(
    stack: Stack, coverage_alerts
) -> None:
    stack.service("legacy", tags=MANAGED)
    assert stack.coverage() == [], "no coverage without Runtime Monitoring"
    stack.enable()
    resource = stack.of("legacy")
    assert resource["CoverageStatus"] == "UNHEALTHY"
    assert _fargate(resource)["Issues"] == [
        "Service 'legacy' requires a new deployment to fix/troubleshoot. Refer documentation, "
        "Impacted service name(s): 'legacy'"
    ]
    stack.ecs.update_service(cluster="legacy", service="legacy", desiredCount=2)
    assert stack.of("legacy")["CoverageStatus"] == "UNHEALTHY", "scaling is no new deployment"
    stack.ecs.update_service(cluster="legacy", service="legacy", forceNewDeployment=True)
    assert stack.of("legacy")["CoverageStatus"] == "HEALTHY"
    assert [event["detail-type"] for event in coverage_alerts()] == [
        "GuardDuty Runtime Protection Healthy"
    ]


def test_standalone_fargate_tasks_count_until_stopped(stack: Stack) -> None:
    stack.enable()
    stack.ecs.create_cluster(clusterName="jobs")
    stack.ecs.register_task_definition(family="jobs", containerDefinitions=CONTAINERS)
    (task,) = stack.ecs.run_task(cluster="jobs", taskDefinition="jobs", launchType="FARGATE")[
        "tasks"
    ]
    assert stack.of("jobs")["CoverageStatus"] == "HEALTHY"
    stack.ecs.stop_task(cluster="jobs", task=task["taskArn"])
    assert stack.of("jobs")["Issue"] == "Agent not reporting"


def test_inclusion_tag_without_agent_management(stack: Stack) -> None:
    stack.enable(agent_management=False)
    stack.service("tagged", tags=MANAGED)
    stack.service("untagged")
    assert [r["ResourceId"] for r in stack.coverage()] == ["tagged"]
    assert stack.of("tagged")["CoverageStatus"] == "HEALTHY"
    stack.ecs.tag_resource(
        resourceArn=stack.ecs.describe_clusters(clusters=["untagged"])["clusters"][0]["clusterArn"],
        tags=MANAGED,
    )
    resource = stack.of("untagged")
    assert resource["CoverageStatus"] == "UNHEALTHY", "its service was deployed before the tag"
    assert _fargate(resource)["Issues"] == [
        "Services deployed before enabling Automated Agent Configuration are not covered. "
        "Impacted service name(s): 'untagged'"
    ]


def test_deleted_cluster_leaves_the_coverage(stack: Stack) -> None:
    stack.enable()
    stack.service("gone")
    stack.ecs.update_service(cluster="gone", service="gone", desiredCount=0)
    stack.ecs.delete_service(cluster="gone", service="gone")
    stack.ecs.delete_cluster(cluster="gone")
    assert stack.coverage() == []


def test_filters_sort_pages_and_statistics_of_many_clusters(stack: Stack) -> None:
    stack.enable()
    names = [f"cluster-{index:03d}" for index in range(120)]
    excluded = set(names[::10])
    stack.ecs.register_task_definition(family="app", containerDefinitions=CONTAINERS)
    for name in names:
        stack.service(name, tags=EXCLUDED if name in excluded else None, family="app")

    pages = list(
        stack.guardduty.get_paginator("list_coverage").paginate(DetectorId=stack.detector_id)
    )
    assert [len(page["Resources"]) for page in pages] == [50, 50, 20]
    assert "NextToken" not in pages[-1]
    assert [r["ResourceId"] for page in pages for r in page["Resources"]] == names

    def ids(*criteria: tuple[str, str, list[str]], **request: Any) -> list[str]:
        filters = [
            {"CriterionKey": key, "FilterCondition": {condition: values}}
            for key, condition, values in criteria
        ]
        return [
            r["ResourceId"]
            for r in stack.coverage(FilterCriteria={"FilterCriterion": filters}, **request)
        ]

    assert ids(("COVERAGE_STATUS", "Equals", ["UNHEALTHY"])) == sorted(excluded)
    assert ids(("MANAGEMENT_TYPE", "Equals", ["DISABLED"])) == sorted(excluded)
    assert ids(("ECS_CLUSTER_NAME", "Equals", ["cluster-007"])) == ["cluster-007"]
    assert (
        len(ids(("ACCOUNT_ID", "Equals", [ACCOUNT]), ("RESOURCE_TYPE", "Equals", ["ECS"]))) == 120
    )
    assert ids(("RESOURCE_TYPE", "Equals", ["EC2", "EKS"])) == []
    assert ids(("RESOURCE_TYPE", "NotEquals", ["ECS"])) == []
    assert len(ids(("COVERAGE_STATUS", "NotEquals", ["UNHEALTHY"]))) == 108

    by_name = stack.coverage(SortCriteria={"AttributeName": "ECS_CLUSTER_NAME", "OrderBy": "DESC"})
    assert [r["ResourceId"] for r in by_name] == names[::-1]
    by_status = stack.coverage(SortCriteria={"AttributeName": "COVERAGE_STATUS", "OrderBy": "DESC"})
    assert [r["CoverageStatus"] for r in by_status] == ["UNHEALTHY"] * 12 + ["HEALTHY"] * 108

    statistics = stack.guardduty.get_coverage_statistics(
        DetectorId=stack.detector_id,
        StatisticsType=["COUNT_BY_RESOURCE_TYPE", "COUNT_BY_COVERAGE_STATUS"],
    )["CoverageStatistics"]
    assert statistics == {
        "CountByResourceType": {"ECS": 120},
        "CountByCoverageStatus": {"HEALTHY": 108, "UNHEALTHY": 12},
    }
    filtered = stack.guardduty.get_coverage_statistics(
        DetectorId=stack.detector_id,
        StatisticsType=["COUNT_BY_COVERAGE_STATUS"],
        FilterCriteria={
            "FilterCriterion": [
                {"CriterionKey": "ECS_CLUSTER_NAME", "FilterCondition": {"Equals": ["cluster-010"]}}
            ]
        },
    )["CoverageStatistics"]
    assert filtered == {"CountByCoverageStatus": {"UNHEALTHY": 1}}


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"MaxResults": 51}, "maxResults"),
        ({"SortCriteria": {"AttributeName": "COVERAGE_STATUS", "OrderBy": "SIDEWAYS"}}, "sort"),
        (
            {
                "FilterCriteria": {
                    "FilterCriterion": [{"CriterionKey": "COVERAGE_STATUS", "FilterCondition": {}}]
                }
            },
            "filterCondition",
        ),
    ],
    ids=["max_results_51", "bad_order", "empty_condition"],
)
@pytest.mark.emulator_rejects
def test_list_coverage_rejects_what_aws_rejects(stack: Stack, request_, message) -> None:
    with pytest.raises(ClientError) as failure:
        stack.guardduty.list_coverage(DetectorId=stack.detector_id, **request_)
    assert failure.value.response["Error"]["Code"] == "BadRequestException"
    assert message in failure.value.response["Error"]["Message"]


def test_pages_follow_the_last_resource_and_orders_follow_changes(stack: Stack) -> None:
    stack.enable()
    stack.ecs.register_task_definition(family="app", containerDefinitions=CONTAINERS)
    for name in ("b", "d", "f", "h"):
        stack.service(name, family="app")
    first = stack.guardduty.list_coverage(DetectorId=stack.detector_id, MaxResults=2)
    assert [r["ResourceId"] for r in first["Resources"]] == ["b", "d"]
    # A cluster added before the page boundary and one after it: the next page goes on after
    # "d" (the token holds the last resource, not an offset), with no repeat and no gap.
    stack.service("a", family="app")
    stack.service("e", family="app")
    rest = stack.coverage(NextToken=first["NextToken"])
    assert [r["ResourceId"] for r in rest] == ["e", "f", "h"]

    stack.ecs.update_service(cluster="f", service="f", desiredCount=0)
    by_status = stack.coverage(SortCriteria={"AttributeName": "COVERAGE_STATUS", "OrderBy": "DESC"})
    assert [(r["ResourceId"], r["CoverageStatus"]) for r in by_status] == [
        ("f", "UNHEALTHY"),
        ("a", "HEALTHY"),
        ("b", "HEALTHY"),
        ("d", "HEALTHY"),
        ("e", "HEALTHY"),
        ("h", "HEALTHY"),
    ]
    by_issue = stack.coverage(SortCriteria={"AttributeName": "ISSUE", "OrderBy": "DESC"})
    assert [r["ResourceId"] for r in by_issue] == ["f", "a", "b", "d", "e", "h"], (
        "resources without an issue come last, by name"
    )
    newest = stack.coverage(SortCriteria={"AttributeName": "UPDATED_AT", "OrderBy": "DESC"})
    assert newest[0]["ResourceId"] == "f"
    stack.ecs.update_service(cluster="f", service="f", desiredCount=1)
    stack.ecs.update_service(cluster="f", service="f", desiredCount=0)
    stack.ecs.update_service(cluster="f", service="f", desiredCount=0)
    stack.ecs.delete_service(cluster="f", service="f")
    stack.ecs.delete_cluster(cluster="f")
    assert [r["ResourceId"] for r in stack.coverage()] == ["a", "b", "d", "e", "h"]
    assert [
        r["ResourceId"]
        for r in stack.coverage(SortCriteria={"AttributeName": "COVERAGE_STATUS", "OrderBy": "ASC"})
    ] == ["a", "b", "d", "e", "h"]

    with pytest.raises(ClientError) as failure:
        stack.guardduty.list_coverage(DetectorId=stack.detector_id, NextToken="not a token")
    assert "nextToken" in failure.value.response["Error"]["Message"]


# --------------------------------------------------------------------------------------------
# An administrator's coverage includes its members'
# --------------------------------------------------------------------------------------------


@dataclass
class Organization:
    admin: Stack
    member: Stack
    outsider: Stack
    admin_id: str
    member_id: str
    outsider_id: str


@pytest.fixture
def organization(
    aws_client: Callable[[str], Any],
    as_account: Callable[[str, str], Any],
    clean_emulator: EmulatorProcess,
) -> Organization:
    """A delegated administrator ("security") with one member ("workload"), and an account of
    the organization that is not a member ("sandbox"), each with Runtime Monitoring on."""
    organizations = aws_client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    ids = {
        name: organizations.create_account(AccountName=name, Email=f"{name}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for name in ("security", "workload", "sandbox")
    }
    aws_client("guardduty").enable_organization_admin_account(AdminAccountId=ids["security"])
    admin_guardduty = as_account("guardduty", ids["security"])
    admin = Stack(
        admin_guardduty,
        as_account("ecs", ids["security"]),
        admin_guardduty.create_detector(Enable=True)["DetectorId"],
    )
    admin.enable()
    admin_guardduty.create_members(
        DetectorId=admin.detector_id,
        AccountDetails=[{"AccountId": ids["workload"], "Email": "workload@example.com"}],
    )
    # Past the window in which a new member is not yet associated for its features.
    clean_emulator.advance_clock(member_association_delay(os.environ).total_seconds())
    admin_guardduty.update_member_detectors(
        DetectorId=admin.detector_id, AccountIds=[ids["workload"]], Features=_features()
    )
    member_guardduty = as_account("guardduty", ids["workload"])
    (member_detector,) = member_guardduty.list_detectors()["DetectorIds"]
    member = Stack(member_guardduty, as_account("ecs", ids["workload"]), member_detector)
    outsider_guardduty = as_account("guardduty", ids["sandbox"])
    outsider = Stack(
        outsider_guardduty,
        as_account("ecs", ids["sandbox"]),
        outsider_guardduty.create_detector(Enable=True)["DetectorId"],
    )
    outsider.enable()
    return Organization(admin, member, outsider, ids["security"], ids["workload"], ids["sandbox"])


def test_administrator_lists_its_members_coverage_with_their_account(
    organization: Organization,
) -> None:
    admin, member = organization.admin, organization.member
    for name in ("alpha", "delta"):
        admin.service(name)
    for name in ("bravo", "charlie"):
        member.service(name)
    member.service("echo", tags=EXCLUDED)
    member.service("alpha")  # the same name in another account
    organization.outsider.service("foxtrot")

    listed = admin.coverage(MaxResults=2)
    admin_id = organization.admin_id
    assert [(r["ResourceId"], r["AccountId"]) for r in listed] == sorted(
        [
            ("alpha", admin_id),
            ("alpha", organization.member_id),
            ("bravo", organization.member_id),
            ("charlie", organization.member_id),
            ("delta", admin_id),
            ("echo", organization.member_id),
        ]
    ), "every account's clusters, by name, then account; not the outsider's"
    assert {r["DetectorId"] for r in listed if r["AccountId"] == organization.member_id} == {
        member.detector_id
    }, "a member's resource names the member's detector"

    by_status = admin.coverage(SortCriteria={"AttributeName": "COVERAGE_STATUS", "OrderBy": "DESC"})
    assert [(r["ResourceId"], r["CoverageStatus"]) for r in by_status][:2] == [
        ("echo", "UNHEALTHY"),
        ("alpha", "HEALTHY"),
    ]

    only_member = admin.coverage(
        FilterCriteria={
            "FilterCriterion": [
                {
                    "CriterionKey": "ACCOUNT_ID",
                    "FilterCondition": {"Equals": [organization.member_id]},
                }
            ]
        }
    )
    assert [r["ResourceId"] for r in only_member] == ["alpha", "bravo", "charlie", "echo"]
    statistics = admin.guardduty.get_coverage_statistics(
        DetectorId=admin.detector_id, StatisticsType=["COUNT_BY_COVERAGE_STATUS"]
    )["CoverageStatistics"]
    assert statistics == {"CountByCoverageStatus": {"HEALTHY": 5, "UNHEALTHY": 1}}

    assert [r["ResourceId"] for r in member.coverage()] == ["alpha", "bravo", "charlie", "echo"], (
        "a member sees only its own"
    )
    assert [r["ResourceId"] for r in organization.outsider.coverage()] == ["foxtrot"]

    admin.guardduty.disassociate_members(
        DetectorId=admin.detector_id, AccountIds=[organization.member_id]
    )
    assert [r["ResourceId"] for r in admin.coverage()] == ["alpha", "delta"], (
        "a member that is no longer Enabled leaves the administrator's coverage"
    )
