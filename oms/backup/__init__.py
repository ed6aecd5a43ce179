"""Backups (manual §3.2): `oms backup`, `oms restore FILE`, `oms verify` — see docs/operations.md."""
