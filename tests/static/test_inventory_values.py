"""What a generated plan inventory keeps of a planned resource (guardduty_ecs_bench.inventory):
the attributes and blocks the module's configuration sets, not what the provider computes."""

from __future__ import annotations

from pathlib import Path

import pytest
import tftest

from guardduty_ecs_bench.inventory import configured_values

pytestmark = pytest.mark.static

# A module with a static block that holds a dynamic one (as aws_guardduty_filter's
# finding_criteria holds its criteria) and a dynamic block with a static block inside.
MAIN_TF = """
resource "aws_example" "this" {
  name = "a"
  criteria {
    dynamic "criterion" {
      for_each = var.criteria
      content {
        field  = criterion.key
        equals = criterion.value
      }
    }
  }
  dynamic "rule" {
    for_each = [1]
    content {
      id = "r"
      expiration {
        days = rule.value
      }
    }
  }
}
"""


def _plan(after: dict, after_unknown: dict) -> tftest.TerraformPlanOutput:
    """A plan of module.child.aws_example.this in a root that calls ./child."""
    expressions = {
        "name": {"constant_value": "a"},
        # The configuration section leaves dynamic blocks out: the static block is empty.
        "criteria": [{}],
    }
    resource = {"address": "aws_example.this", "mode": "managed", "expressions": expressions}
    return tftest.TerraformPlanOutput(
        {
            "resource_changes": [
                {
                    "address": "module.child.aws_example.this",
                    "mode": "managed",
                    "type": "aws_example",
                    "name": "this",
                    "change": {
                        "actions": ["create"],
                        "after": after,
                        "after_unknown": after_unknown,
                    },
                }
            ],
            "configuration": {
                "root_module": {
                    "module_calls": {
                        "child": {"source": "./child", "module": {"resources": [resource]}}
                    }
                }
            },
        }
    )


def test_keeps_what_the_configuration_sets(tmp_path: Path) -> None:
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "main.tf").write_text(MAIN_TF)
    after = {
        "name": "a",
        "arn": "arn:aws:example:::a",  # computed
        "force_destroy": False,  # a provider default the module does not set
        "tags_all": {"Team": "x"},
        "criteria": [
            {
                "criterion": [{"field": "type", "equals": ["x"], "greater_than": ""}],
                "mode": "DEFAULT",
            }
        ],
        "rule": [{"id": "r", "expiration": [{"days": 7, "expired_marker": False}], "prefix": ""}],
        "id": None,
    }
    values = configured_values(_plan(after, {"id": True}), tmp_path)
    assert values == {
        "module.child.aws_example.this": {
            "name": "a",
            "criteria": [{"criterion": [{"field": "type", "equals": ["x"]}]}],
            "rule": [{"id": "r", "expiration": [{"days": 7}]}],
        }
    }


def test_without_the_source_only_the_configuration_section_counts() -> None:
    after = {"name": "a", "criteria": [{"criterion": [{"field": "type"}]}], "rule": [{"id": "r"}]}
    values = configured_values(_plan(after, {}))
    assert values == {"module.child.aws_example.this": {"name": "a", "criteria": [{}]}}
