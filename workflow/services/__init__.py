"""The services: every command of the CLI is one typed function here (cycles, views, the
directory, identity, publishing, migration, time travel, reports, scenarios, the demo)."""
