"""Stopping the long-running helper processes the harness starts (the emulator, providers)."""

from __future__ import annotations

import subprocess
from typing import Any


def terminate(process: subprocess.Popen[Any], grace_seconds: float = 10) -> None:
    """SIGTERM ``process`` and wait for it; SIGKILL it if it is still there after the grace."""
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
