"""The harness picks the provider source: an explicit mirror, a detected mirror, or the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardduty_ecs_bench import terraform
from guardduty_ecs_bench.terraform import (
    MIRROR_VARIABLE,
    ProviderMirrorError,
    configure_terraform,
    find_provider_mirror,
    render_cli_config,
)

pytestmark = pytest.mark.static


def _make_mirror(root: Path) -> Path:
    platform_dir = terraform.platform_dir()
    binary = (
        root / terraform.PROVIDER_ADDRESS / "5.100.0" / platform_dir / "terraform-provider-aws_v5"
    )
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"")
    return root


def test_explicit_mirror_wins(tmp_path: Path) -> None:
    mirror = _make_mirror(tmp_path / "mirror")
    assert find_provider_mirror({MIRROR_VARIABLE: str(mirror)}) == mirror


def test_registry_can_be_forced() -> None:
    assert find_provider_mirror({MIRROR_VARIABLE: "registry"}) is None


def test_explicit_folder_without_provider_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProviderMirrorError, match=r"does not hold registry\.terraform\.io"):
        find_provider_mirror({MIRROR_VARIABLE: str(tmp_path)})


def test_detection_scans_known_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = _make_mirror(tmp_path / "images" / "tf-plugins")
    monkeypatch.setattr(terraform, "MIRROR_CANDIDATES", ())
    monkeypatch.setattr(terraform, "MIRROR_SCAN_ROOTS", (str(tmp_path),))
    assert find_provider_mirror({}) == mirror


def test_no_mirror_means_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(terraform, "MIRROR_CANDIDATES", ())
    monkeypatch.setattr(terraform, "MIRROR_SCAN_ROOTS", (str(tmp_path),))
    assert find_provider_mirror({}) is None


def test_cli_config_for_mirror_excludes_the_provider_from_direct_installs(tmp_path: Path) -> None:
    config = render_cli_config(tmp_path, tmp_path / "cache")
    assert f'path    = "{tmp_path}"' in config
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in config
    assert "plugin_cache_dir" not in config


def test_cli_config_for_registry_uses_a_plugin_cache(tmp_path: Path) -> None:
    settings = configure_terraform(tmp_path, {MIRROR_VARIABLE: "registry"})
    assert settings.mirror is None
    assert settings.cli_config.read_text() == f'plugin_cache_dir = "{tmp_path / "plugin-cache"}"\n'
    assert settings.environment({})["TF_CLI_CONFIG_FILE"] == str(settings.cli_config)


def test_terraform_collects_garbage_less_often_unless_the_caller_says(tmp_path: Path) -> None:
    settings = configure_terraform(tmp_path, {MIRROR_VARIABLE: "registry"})
    assert settings.environment({})["GOGC"] == terraform.GO_GARBAGE_COLLECTION_PERCENT
    assert settings.environment({"GOGC": "100"})["GOGC"] == "100"
