"""`pip install .` installs the operator commands alone: the package ``guardduty_ecs``, with boto3
as its only dependency. The test bench and the emulator (``scripts/pyproject.toml``) sit beside it
in ``scripts/`` and must stay out of an operator's site-packages.

The install is real (``pip install --target``, from a copy of the checkout's Python side, so that
the build's files stay out of the checkout), and the commands run from it in a fresh interpreter
where the bench, the emulator and their dependencies cannot be imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.static

PRODUCT = "guardduty_ecs"
DISTRIBUTION = "guardduty-ecs-runtime"
COMMANDS = ("coverage", "drill", "verify", "cost")
# What only the test bench and the emulator import: an operator's interpreter has none of it.
NOT_INSTALLED = ("guardduty_ecs_bench", "guardduty_ecs_emulator", "moto", "tftest", "flask", "yaml")

# Runs the CLI from the install in a fresh interpreter where NOT_INSTALLED cannot be imported.
FROM_THE_INSTALL = """
import sys
from importlib.abc import MetaPathFinder

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
import guardduty_ecs
assert guardduty_ecs.__file__.startswith({target!r}), guardduty_ecs.__file__
from guardduty_ecs.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def installed(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder that ``pip install .`` filled (without dependencies: boto3 is this
    interpreter's), built from a copy of the project files and all of ``scripts/``."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(repo_root / name, source / name)
    shutil.copytree(
        repo_root / "scripts",
        source / "scripts",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"),
    )
    target = work / "site-packages"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            target,
            source,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return target


def _from_the_install(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = FROM_THE_INSTALL.format(blocked=set(NOT_INSTALLED), target=str(target))
    environment = {**os.environ, "PYTHONPATH": str(target)}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=target,
        env=environment,
        check=False,
        timeout=60,
    )


def test_the_distribution_depends_on_boto3_alone(repo_root: Path) -> None:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    assert [dependency.split(">")[0] for dependency in project["dependencies"]] == ["boto3"]
    assert "optional-dependencies" not in project, "the bench is scripts/pyproject.toml"
    assert project["scripts"] == {"guardduty-ecs": "guardduty_ecs.cli:main"}


def test_the_install_holds_the_product_package_alone(installed: Path) -> None:
    packages = {
        path.name
        for path in installed.iterdir()
        if path.is_dir() and path.name != "bin" and not path.name.endswith(".dist-info")
    }
    assert packages == {PRODUCT}
    (record,) = installed.glob("*.dist-info/RECORD")
    files = [line.split(",")[0] for line in record.read_text().splitlines()]
    # RECORD names the console script relative to the package folder (../../bin/...).
    outside = [
        name
        for name in files
        if not name.startswith(f"{PRODUCT}/")
        and ".dist-info/" not in name
        and Path(name).parent.name != "bin"
    ]
    assert not outside, f"installed beside the product: {outside}"
    assert sorted(path.name for path in (installed / "bin").iterdir()) == ["guardduty-ecs"]


def test_version_works_from_the_install(installed: Path) -> None:
    done = _from_the_install(installed, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"guardduty-ecs {_installed_version(installed)}"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_helps_from_the_install(installed: Path, command: str) -> None:
    done = _from_the_install(installed, command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: guardduty-ecs {command}")


def test_the_install_offers_the_operator_commands_alone(installed: Path) -> None:
    done = _from_the_install(installed, "--help")
    assert done.returncode == 0, done.stderr
    assert "{" + ",".join(COMMANDS) + "}" in done.stdout


def _installed_version(installed: Path) -> str:
    (metadata,) = installed.glob("*.dist-info/METADATA")
    return next(
        line.split(":", 1)[1].strip()
        for line in metadata.read_text().splitlines()
        if line.startswith("Version:")
    )
