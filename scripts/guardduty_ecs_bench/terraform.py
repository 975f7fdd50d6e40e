"""How the harness runs Terraform: provider source, CLI config and isolated working copies.

Nothing here changes the modules: Terraform finds the ``hashicorp/aws`` provider through a CLI
config that this file generates, either in a local filesystem mirror (machines without internet)
or in the public registry (everyone else).
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import tftest

from guardduty_ecs.errors import UserError

# Set to a mirror folder to use it, or to "registry" to ignore any mirror found on the machine.
MIRROR_VARIABLE = "GUARDDUTY_ECS_PROVIDER_MIRROR"
PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws"
# Where machine images conventionally keep provider mirrors (Terraform's implied local mirror
# directories first, then the usual system-wide places).
MIRROR_CANDIDATES = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt/terraform/plugins",
)
# Folders searched (not deeper than MIRROR_SCAN_DEPTH) when no candidate holds the provider.
MIRROR_SCAN_ROOTS = ("/opt", "/usr/local/share", "/usr/share")
MIRROR_SCAN_DEPTH = 4

# Go's GOGC for Terraform and the provider: see TerraformSettings.environment.
GO_GARBAGE_COLLECTION_PERCENT = "400"

# What a Terraform working copy needs; the harness never runs Terraform inside the checkout.
TERRAFORM_TREE = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "modules", "examples")


class ProviderMirrorError(UserError):
    """The mirror named by the environment cannot be used."""


def platform_dir() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def holds_provider(mirror: Path) -> bool:
    """True when ``mirror`` is an unpacked filesystem mirror with the AWS provider for here."""
    provider_dir = mirror / PROVIDER_ADDRESS
    pattern = f"*/{platform_dir()}/terraform-provider-aws*"
    return provider_dir.is_dir() and any(provider_dir.glob(pattern))


def _scan(root: Path, depth: int) -> Iterator[Path]:
    """Yield folders under ``root`` that contain ``registry.terraform.io``, breadth-first."""
    level = [root]
    for _ in range(depth):
        next_level: list[Path] = []
        for folder in level:
            try:
                children = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
            except OSError:
                continue
            for child in children:
                if child.name == "registry.terraform.io":
                    yield folder
                else:
                    next_level.append(child)
        level = next_level


def find_provider_mirror(environ: dict[str, str] | None = None) -> Path | None:
    """The filesystem mirror to use, or None to use the registry.

    ``GUARDDUTY_ECS_PROVIDER_MIRROR`` wins: a folder (which must hold the provider) or
    ``registry``. Without it, well-known folders are tried, then a shallow scan.
    """
    environ = dict(os.environ) if environ is None else environ
    override = environ.get(MIRROR_VARIABLE, "").strip()
    if override.lower() == "registry":
        return None
    if override:
        mirror = Path(override).expanduser()
        if not holds_provider(mirror):
            raise ProviderMirrorError(
                f"{MIRROR_VARIABLE}={override} does not hold {PROVIDER_ADDRESS} for "
                f"{platform_dir()} (expected {mirror}/{PROVIDER_ADDRESS}/<version>/"
                f"{platform_dir()}/terraform-provider-aws_*); set it to a mirror folder or to "
                "'registry'"
            )
        return mirror
    for candidate in MIRROR_CANDIDATES:
        mirror = Path(candidate).expanduser()
        if holds_provider(mirror):
            return mirror
    for root in MIRROR_SCAN_ROOTS:
        for mirror in _scan(Path(root), MIRROR_SCAN_DEPTH):
            if holds_provider(mirror):
                return mirror
    return None


def render_cli_config(mirror: Path | None, plugin_cache: Path) -> str:
    """A Terraform CLI config: the mirror for the AWS provider if given, the registry otherwise.

    The plugin cache only serves registry downloads: with an unpacked mirror Terraform links the
    provider in place, while a cache would copy the whole binary once more.
    """
    if mirror is None:
        return f'plugin_cache_dir = "{plugin_cache}"\n'
    return (
        "provider_installation {\n"
        + "  filesystem_mirror {\n"
        + f'    path    = "{mirror}"\n'
        + f'    include = ["{PROVIDER_ADDRESS}"]\n'
        + "  }\n"
        + "  direct {\n"
        + f'    exclude = ["{PROVIDER_ADDRESS}"]\n'
        + "  }\n"
        + "}\n"
    )


@dataclass(frozen=True)
class TerraformSettings:
    """The CLI config the harness generated, and the environment that selects it."""

    cli_config: Path
    mirror: Path | None

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        environment = dict(os.environ if base is None else base)
        environment.update(
            {
                "TF_CLI_CONFIG_FILE": str(self.cli_config),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
            }
        )
        environment.pop("TF_PLUGIN_CACHE_DIR", None)
        # Terraform and the provider are short-lived Go processes that spend a fifth of their CPU
        # collecting garbage while the provider builds and sends its schema of some 1,500
        # resources: collecting at 5x the live heap instead of 2x cut the CPU of a plan from
        # about 5.2 s to 4.1 s for some 80 MB more memory. A GOGC of the caller's wins.
        environment.setdefault("GOGC", GO_GARBAGE_COLLECTION_PERCENT)
        # Destroy-time steps of the examples run Python scripts with boto3: the harness's own
        # interpreter comes first on the PATH, so they use the packages the harness installed.
        interpreter_dir = str(Path(sys.executable).parent)
        environment["PATH"] = os.pathsep.join(
            filter(None, [interpreter_dir, environment.get("PATH", "")])
        )
        return environment


def configure_terraform(
    cache_dir: Path, environ: dict[str, str] | None = None
) -> TerraformSettings:
    """Write the CLI config into ``cache_dir`` and return how to use it."""
    mirror = find_provider_mirror(environ)
    plugin_cache = cache_dir / "plugin-cache"
    plugin_cache.mkdir(parents=True, exist_ok=True)
    cli_config = cache_dir / "terraform.tfrc"
    cli_config.write_text(render_cli_config(mirror, plugin_cache))
    return TerraformSettings(cli_config=cli_config, mirror=mirror)


def _ignore_local_state(_folder: str, names: list[str]) -> Iterable[str]:
    return [
        name
        for name in names
        if name in {".terraform", ".terraform.lock.hcl"} or name.endswith((".tfstate", ".backup"))
    ]


def stage_tree(destination: Path, source: Path) -> Path:
    """Copy the modules and examples into ``destination`` so that runs never touch the checkout."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in TERRAFORM_TREE:
        path = source / name
        if path.is_dir():
            shutil.copytree(
                path, destination / name, ignore=_ignore_local_state, dirs_exist_ok=True
            )
        elif path.is_file():
            shutil.copy2(path, destination / name)
    return destination


def terraform_test(tfdir: Path, environment: dict[str, str]) -> tftest.TerraformTest:
    """A tftest handle on ``tfdir`` that runs Terraform with ``environment`` only."""
    test = tftest.TerraformTest(str(tfdir), env=environment)
    # tftest merges os.environ under ``env``; the harness wants exactly ``environment``.
    test.env = dict(environment)
    return test
