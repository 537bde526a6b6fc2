"""A database of its own for each benchmark run, so that a benchmark never touches the project's own data."""
import tempfile
from contextlib import contextmanager
from pathlib import Path

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


@contextmanager
def scratch_database(db, name):
    """Yields the DATABASE_URL of a new, empty database: a temporary SQLite file (db "sqlite"), or the PostgreSQL
    database `name` on 127.0.0.1:5432, dropped first if an interrupted run left it. Removed afterwards."""
    if db == "sqlite":
        path = Path(tempfile.mkdtemp()) / f"{name}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
