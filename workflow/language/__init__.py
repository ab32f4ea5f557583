"""The definition language: the models of a definition, the YAML reader that keeps lines, the
structural checks, loading (with ``extends``), lint, diff and the JSON Schema of the format."""
