"""The engine of a step: the ``transitions`` machine of a definition, the judgement of roles and
guards, the inputs, and the facts a step records (shared by firing and replaying)."""
