"""Domain objects -> bytes/text (CSV, YAML, JSON, ...)."""
