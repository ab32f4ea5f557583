"""Persistence for thidua: SQLAlchemy models, the engine, the audit ledger and migrations.

``store`` never imports ``workflow``, ``cli``, ``transitions`` or ``click``.
"""
