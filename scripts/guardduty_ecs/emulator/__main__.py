"""Run moto's server with the project's extensions: ``python -m guardduty_ecs.emulator``."""

from __future__ import annotations

import argparse

from moto import server

from guardduty_ecs.emulator import (
    agent_network,
    coverage,
    detection_controls,
    ecs,
    eventbridge,
    findings,
    guardduty,
    kms,
    organization,
    vpc_dependencies,
)


def install_extensions() -> None:
    """Apply every emulator extension of this project to moto, in this process."""
    guardduty.install()
    eventbridge.install()
    kms.install()
    ecs.install()
    agent_network.install()
    vpc_dependencies.install()
    findings.install()
    organization.install()
    detection_controls.install()
    coverage.install()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server with guardduty_ecs extensions")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    install_extensions()
    server.main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
