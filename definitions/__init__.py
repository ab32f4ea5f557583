"""The shipped cycle definitions (YAML data), installed as ``thidua.definitions``."""
