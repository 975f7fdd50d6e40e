"""The local AWS emulator: moto in server mode plus this project's extensions.

This is a *test and demo backend*, not product code. ``EmulatorProcess`` starts
``python -m guardduty_ecs_emulator`` (moto's server with the patches of this package applied) on
127.0.0.1 and a free port, and gives the environment that points the AWS provider and boto3 at it.
"""

from guardduty_ecs_emulator.process import ActAs, EmulatorProcess, act_as, emulator_environment

__all__ = ["ActAs", "EmulatorProcess", "act_as", "emulator_environment"]
