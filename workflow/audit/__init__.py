"""Audit: verifying the ledger and the records built from it, exports and offline bundles."""
