"""On SQLite (the embedded default), two writers at once wait for each other instead of one failing with
"database is locked": the second import beside the first did, with a 500, before the settings took the write
lock when a transaction begins (shuzhi/settings.py)."""
import threading
import time

import pytest
from django.db import connections, transaction

pytestmark = pytest.mark.skipif(
    not connections["default"].settings_dict["ENGINE"].endswith("sqlite3"), reason="只在 SQLite 上检查"
)


def test_two_transactions_that_read_then_write_both_succeed_one_after_the_other(django_db_blocker, tmp_path):
    # A database file of its own, with the project's connection settings, outside the test database.
    alias = "shared_file"
    connections.settings[alias] = {**connections["default"].settings_dict, "NAME": str(tmp_path / "shared.sqlite3")}
    errors, finished = [], {}

    def writer(n, pause):
        try:
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                # Read, then write later, as an import does. Begun "deferred", the later write of one of the two
                # transactions is refused at once.
                cursor.execute("SELECT count(*) FROM roll")
                time.sleep(pause)
                cursor.execute("INSERT INTO roll VALUES (%s)", [n])
            finished[n] = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - the failure is what the test reports
            errors.append(exc)
        finally:
            connections[alias].close()

    with django_db_blocker.unblock():
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("CREATE TABLE roll (n integer)")
            connections[alias].close()
            first = threading.Thread(target=writer, args=(1, 0.5))
            second = threading.Thread(target=writer, args=(2, 0))
            first.start()
            time.sleep(0.1)
            second.start()
            first.join(40)
            second.join(40)
            assert errors == []
            assert finished[2] >= finished[1]  # the second waited for the first to commit
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT n FROM roll ORDER BY n")
                assert [n for (n,) in cursor.fetchall()] == [1, 2]
        finally:
            connections[alias].close()
            del connections.settings[alias]
