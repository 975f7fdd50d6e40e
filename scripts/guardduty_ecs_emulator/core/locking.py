"""The emulator's one lock for findings, coverage, organizations and detection controls.

moto's server answers requests on threads, and these extensions read and write state that spans
detectors and accounts (a member's findings on its administrator's bus, an administrator's
coverage over its members), so they change it under one re-entrant lock.
"""

from __future__ import annotations

import threading

# One request at a time changes findings and coverage (moto's server is threaded).
LOCK = threading.RLock()
