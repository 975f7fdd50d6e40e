"""The emulator's core: the plumbing that every AWS service extension imports.

Routing a new GuardDuty REST path to a handler (``routing``), reading a request's JSON body and
detector (``requests``), pages of at most 50 (``pagination``), the one lock under which findings,
coverage and organizations change (``locking``), the emulator's clock that tests move instead of
sleeping (``clock``), state kept on moto's detectors (``state``) and putting GuardDuty events on
the default bus (``publishing``). The core imports no service extension; services import it.
"""
