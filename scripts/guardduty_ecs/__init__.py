"""Test harness and operator commands for the GuardDuty Runtime Monitoring for ECS module."""

__version__ = "0.1.0"
