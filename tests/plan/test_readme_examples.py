"""The HCL usage examples of the READMEs plan as written (only their module source is local)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guardduty_ecs.harness import Workbench
from guardduty_ecs.inventory import planned_resources

pytestmark = pytest.mark.plan

REPO = Path(__file__).resolve().parents[2]
SOURCE = re.compile(r'^(\s*source\s*=\s*)"[^"]*"', re.MULTILINE)
PROVIDER = 'provider "aws" {\n  region = "us-east-1"\n}\n'


def _usage_blocks(readme: Path) -> list[str]:
    blocks = re.findall(r"```hcl\n(.*?)```", readme.read_text(), re.DOTALL)
    return [block for block in blocks if re.search(r'^module "', block, re.MULTILINE)]


READMES = {"README.md": ".", "modules/runtime-monitoring/README.md": "modules/runtime-monitoring"}
CASES = [
    pytest.param(readme, module, index, block, id=f"{readme}#{index}")
    for readme, module in READMES.items()
    for index, block in enumerate(_usage_blocks(REPO / readme))
]


def test_readmes_have_usage_examples() -> None:
    assert {case.values[0] for case in CASES} == set(READMES)


@pytest.mark.parametrize(("readme", "module", "index", "block"), CASES)
def test_readme_usage_plans(
    workbench: Workbench, readme: str, module: str, index: int, block: str
) -> None:
    directory = workbench.root / "readme-examples" / f"{Path(readme).parent.name or 'root'}-{index}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(
        PROVIDER + SOURCE.sub(rf'\1"{workbench.root / module}"', block)
    )
    plan = workbench.stack(str(directory.relative_to(workbench.root))).plan()
    features = [
        values
        for values in planned_resources(plan).values()
        if values.get("name") == "RUNTIME_MONITORING"
    ]
    assert len(features) == 1
    assert {"name": "ECS_FARGATE_AGENT_MANAGEMENT", "status": "ENABLED"} in (
        features[0]["additional_configuration"]
    )
