"""The test bench: the Terraform harness, the demo, the benchmark and the repository's generators.

For the people who change this repository, never for an operator's site-packages: it is its own
distribution (``scripts/pyproject.toml``, installed by ``make venv``), and imports the product
(``guardduty_ecs``) and the emulator (``guardduty_ecs_emulator``), which import nothing of it.
"""
