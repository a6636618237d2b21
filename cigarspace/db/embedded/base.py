"""Django's PostgreSQL backend, plus "start the embedded server on demand".

Connecting is the only moment the server is needed, so ``manage.py check`` or ``ruff``
never start it, while the first query of runserver, qcluster or pytest does.
"""

from __future__ import annotations

from pathlib import Path

from django.db.backends.postgresql import base as postgresql

from cigarspace import embedded_db


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        data_dir = Path(self.settings_dict["OPTIONS"].get("data_dir") or _default_data_dir())
        # The application database is created by ensure_running; test databases are
        # created by Django through the "postgres" maintenance database.
        info = embedded_db.ensure_running(data_dir)
        params.pop("data_dir", None)
        params["host"] = str(info.socket_dir)
        params["port"] = info.port
        params["user"] = embedded_db.SUPERUSER
        return params


def _default_data_dir() -> Path:
    from django.conf import settings

    return settings.CIGARSPACE_DATA_DIR


class DatabaseClient(postgresql.DatabaseClient):
    """``manage.py dbshell`` on the embedded server: psql from the wheel, over the socket."""

    @classmethod
    def settings_to_cmd_args_env(cls, settings_dict, parameters):
        info = embedded_db.ensure_running(
            Path(settings_dict["OPTIONS"].get("data_dir") or _default_data_dir())
        )
        settings_dict = {
            **settings_dict,
            "HOST": str(info.socket_dir),
            "PORT": info.port,
            "USER": embedded_db.SUPERUSER,
            "OPTIONS": {k: v for k, v in settings_dict["OPTIONS"].items() if k != "data_dir"},
        }
        args, env = super().settings_to_cmd_args_env(settings_dict, parameters)
        args[0] = str(embedded_db.psql_path())
        return args, env


DatabaseWrapper.client_class = DatabaseClient
