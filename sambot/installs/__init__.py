"""Installations of the app: OAuth install, tokens per workspace, uninstall and purge."""
