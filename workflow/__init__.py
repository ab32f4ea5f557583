"""The thidua engine, in rooms that show its architecture:

- :mod:`~thidua.workflow.language`: what a definition is and how it is read and checked;
- :mod:`~thidua.workflow.rules`: the named guards, effects and actions definitions refer to;
- :mod:`~thidua.workflow.engine`: the machine that runs a step, and what a step records;
- :mod:`~thidua.workflow.services`: the typed functions every CLI command calls;
- :mod:`~thidua.workflow.audit`: verification, exports and bundles for auditors.

Submodules are imported on demand so that importing :mod:`thidua.workflow` stays cheap.
"""
