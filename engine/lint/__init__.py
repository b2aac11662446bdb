"""``pyhelm lint``: Helm v4's chart linter — the same rules, messages, severities and order."""
