"""Plan: the migration plan, its findings and its Markdown/JSON export."""
