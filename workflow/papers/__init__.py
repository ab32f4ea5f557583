"""The papers an office files, written from a cycle's records and read back from users:
workbooks (a cycle's report, a unit's self-assessment) and Word documents (minutes, the
submission, the list of candidates, the draft decision), from templates an administrator
edits."""
