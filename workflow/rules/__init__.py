"""The rules library: the guards, effects and actions a definition may name, one module per
family, registered explicitly in :mod:`thidua.workflow.rules.library`."""
