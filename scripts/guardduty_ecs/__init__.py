"""The operator commands (``coverage``, ``drill``, ``verify``) for the GuardDuty Runtime Monitoring
for ECS module: what ``pip install .`` installs, with boto3 alone."""

__version__ = "0.1.0"
