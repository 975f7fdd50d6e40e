"""`pip install .` gives the operator commands with boto3 alone; the harness is an extra."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

HARNESS_ONLY = ("moto", "tftest", "flask", "yaml")

# Runs the CLI in a fresh interpreter where the harness's packages cannot be imported, as after
# a plain `pip install .`.
WITHOUT_HARNESS = """
import sys
from importlib.abc import MetaPathFinder

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from guardduty_ecs.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _cli_without_harness(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = WITHOUT_HARNESS.format(blocked=set(HARNESS_ONLY))
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )


def test_the_distribution_depends_on_boto3_alone(repo_root: Path) -> None:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert [dependency.split(">")[0] for dependency in project["dependencies"]] == ["boto3"]
    harness = " ".join(project["optional-dependencies"]["harness"])
    assert all(name in harness.lower() for name in ("moto", "tftest", "pyyaml"))


@pytest.mark.parametrize("command", ["coverage", "drill", "verify"])
def test_operator_commands_work_without_the_harness(repo_root: Path, command: str) -> None:
    done = _cli_without_harness(command, "--help", cwd=repo_root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: guardduty-ecs {command}")


def test_harness_commands_say_which_extra_to_install(repo_root: Path) -> None:
    done = _cli_without_harness("demo", cwd=repo_root)
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("guardduty-ecs demo: this command needs the harness (")
    assert line.endswith(
        "is not installed): pip install 'guardduty-ecs-runtime[harness]' from a checkout of the "
        "module"
    )
