"""The blog example's task runs on Fargate as configured: a read-only root with the writable paths
its image needs, the port the image listens on, and logs in CloudWatch Logs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from guardduty_ecs_bench.inventory import SHARED_PLAN_GROUP, SharedPlan, planned_resources

# The example's plan is its inventory's case in the shared plan (tests/plan/conftest.py).
EXAMPLE_CASE = "example_ecs_fargate"

pytestmark = [pytest.mark.plan, pytest.mark.xdist_group(SHARED_PLAN_GROUP)]

# What the official nginx image needs, from its documentation: "The default nginx configuration
# requires write access to /var/cache/nginx and /var/run"; its default server listens on 80.
NGINX_WRITABLE_PATHS = {"/var/cache/nginx", "/var/run"}
NGINX_PORT = 80


@pytest.fixture(scope="module")
def planned(shared_plans: dict[str, SharedPlan]) -> dict[str, dict[str, Any]]:
    return planned_resources(shared_plans[EXAMPLE_CASE].plan)


def test_nginx_gets_the_writable_paths_and_port_it_needs(planned) -> None:
    task = planned["aws_ecs_task_definition.this"]
    (container,) = json.loads(task["container_definitions"])
    assert container["image"].split("/")[-1].startswith("nginx:")
    assert container["readonlyRootFilesystem"] is True
    volumes = {volume["name"] for volume in task["volume"]}
    mounts = {mount["containerPath"]: mount for mount in container["mountPoints"]}
    assert set(mounts) == NGINX_WRITABLE_PATHS
    assert all(
        mount["sourceVolume"] in volumes and not mount["readOnly"] for mount in mounts.values()
    )
    assert [mapping["containerPort"] for mapping in container["portMappings"]] == [NGINX_PORT]


def test_task_logs_go_to_an_encrypted_log_group_the_execution_role_may_write(planned) -> None:
    task = planned["aws_ecs_task_definition.this"]
    (container,) = json.loads(task["container_definitions"])
    log = container["logConfiguration"]
    group = planned["aws_cloudwatch_log_group.app"]
    assert log["logDriver"] == "awslogs"
    assert log["options"]["awslogs-group"] == group["name"]
    assert group["retention_in_days"] >= 365
    policy = planned["aws_kms_key.logs"]["policy"]
    assert f"log-group:{group['name']}" in policy


def test_teardown_step_runs_after_the_service_and_before_the_network(
    shared_plans: dict[str, SharedPlan],
) -> None:
    """Destroy runs in reverse dependency order: the service depends on the teardown step, and
    the teardown step on the subnets, route tables and NAT gateway."""
    plan = shared_plans[EXAMPLE_CASE].plan
    resources = {
        resource["address"]: resource for resource in plan.configuration["root_module"]["resources"]
    }
    teardown = "terraform_data.remove_guardduty_endpoint"
    assert teardown in resources["aws_ecs_service.this"]["depends_on"]
    assert {"aws_subnet.private", "aws_nat_gateway.this"} <= set(resources[teardown]["depends_on"])
