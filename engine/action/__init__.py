"""Release operations — install, upgrade, uninstall, rollback, list, history, status — the library API the
``pyhelm`` commands call."""
