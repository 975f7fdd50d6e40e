"""GuardDuty, as this project needs it: detector features, sample findings, coverage,
organizations and detection controls, and the network resources GuardDuty adds for its agent.
"""
