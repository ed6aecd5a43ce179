"""The PostgreSQL client tools (pg_dump, pg_restore) and how to hand them a connection; no Django needed."""

from __future__ import annotations

import os
import shutil

from oms.backup.manifest import BackupError


def pg_tool(name: str) -> str:
    """The path of pg_dump / pg_restore, or a one-line error naming the package to install."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found on PATH: install the Debian package postgresql-client")
    return path


def pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments for the client tools (the password goes through the environment)."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return args, env


def pg_params(settings_dict: dict) -> dict:
    """psycopg connection keywords for a Django database settings dict."""
    keys = {"dbname": "NAME", "host": "HOST", "port": "PORT", "user": "USER", "password": "PASSWORD"}
    return {k: settings_dict[v] for k, v in keys.items() if settings_dict.get(v)}
