"""The emulator's extensions of moto, one module (or package) per AWS service.

Each changes what moto answers where moto differs from AWS, citing the AWS rule it follows
(docs/emulator-fidelity.md lists them); ``__main__`` installs them all. They build on the core
(``guardduty_ecs_emulator.core``) and on each other, never on the test bench.
"""
