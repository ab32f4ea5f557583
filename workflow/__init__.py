"""The thidua engine: definitions, validation, the state machine and the services.

Everything a command of the CLI does is a typed function here; the CLI only parses and renders.
Submodules are imported on demand so that importing :mod:`workflow` stays cheap.
"""
