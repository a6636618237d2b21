"""A real qcluster worker killed with SIGKILL mid-ingestion, then mid-matching.

The worker is a separate process tree (``manage.py qcluster``) on the test's database.
To kill it at a known point, the test holds a SHARE lock on the table the stage writes
(``customs_price_entry`` for ingestion, ``cigar_customs_match`` for matching): the worker
blocks inside its transaction, with its earlier work of that stage done, and the test
kills its whole process group with SIGKILL. After each crash a new worker starts; the
broker hands the orphaned task out again once its lock expires (``fault_settings``), and
the work must complete with no duplicate and no missing row.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django_q.models import OrmQ, Schedule
from django_q.tasks import async_task

from catalogue.importer import catalogue_import
from customs.adapters.douane_ods import ODS_MIME_TYPE
from customs.demo import DEMO_DIR
from customs.demo.editions import EDITION_A_FILE
from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource, PublicationStatus
from customs.services.raw_documents import raw_document_store
from matching.models import CigarCustomsMatch, EntryMatchState, MatchingRun
from matching.services import publication_match

pytestmark = pytest.mark.django_db(transaction=True)

# Unique per run: pg_stat_activity and pg_locks span every database of the server, and
# other suites may run this test at the same time on the shared embedded server.
APP_NAME = f"cigarspace-fault-worker-{os.getpid()}"
RETRY_SECONDS = 65
TASK_TIMEOUT_SECONDS = 60  # below the retry, or a slow task is handed out twice
BASE_DIR = Path(settings.BASE_DIR)


def _wait_for(predicate, *, timeout: float, what: str, worker=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker is not None and worker.poll() is not None:
            raise AssertionError(
                f"the worker exited ({worker.returncode}) while waiting for {what}"
            )
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _worker_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND datname = current_database()",
            [APP_NAME],
        )
        return cursor.fetchone()[0]


def _blocked_on(table: str) -> bool:
    """A worker backend waits for a lock on ``table`` (it is inside that stage's write)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_locks l
            JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE NOT l.granted AND a.application_name = %s AND a.datname = current_database()
              AND l.relation = %s::regclass
            """,
            [APP_NAME, table],
        )
        return cursor.fetchone()[0] > 0


class TableLock:
    """A SHARE lock held on its own connection: reads pass, every write waits."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.wrapper = connections.create_connection("default")

    def __enter__(self):
        cursor = self.wrapper.cursor()
        cursor.execute("BEGIN")
        cursor.execute(f"LOCK TABLE {self.table} IN SHARE MODE")
        self.cursor = cursor
        return self

    def __exit__(self, *exc) -> None:
        self.cursor.execute("ROLLBACK")
        self.cursor.close()
        self.wrapper.close()


class Worker:
    def __init__(self, blob_dir: Path) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.operations.fault_settings",
            "FAULT_DB_NAME": connection.settings_dict["NAME"],
            "FAULT_BLOB_DIR": str(blob_dir),
            "FAULT_Q_RETRY": str(RETRY_SECONDS),
            "FAULT_Q_TIMEOUT": str(TASK_TIMEOUT_SECONDS),
            "PGAPPNAME": APP_NAME,
            "DEBUG": "1",
            "HF_HUB_OFFLINE": "1",
            "LOG_LEVEL": "WARNING",
        }
        self.log = blob_dir.parent / f"worker-{time.monotonic_ns()}.log"
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=BASE_DIR,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def poll(self):
        return self.process.poll()

    @property
    def returncode(self):
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL to the whole cluster (sentinel, pusher, workers, monitor) at once."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.handle.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self.handle.close()


@pytest.fixture
def workers(blob_root):
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(blob_root)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.stop()


def _fetched_publication() -> CustomsPublication:
    """The demo edition A stored as a fetched document, as if downloaded by discovery."""
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    blob = raw_document_store(path=DEMO_DIR / EDITION_A_FILE, mime_type=ODS_MIME_TYPE)
    return CustomsPublication.objects.create(
        source=source,
        external_id="https://www.douane.gouv.fr/fault-test/Maquette%20JORF.ods",
        status=PublicationStatus.FETCHED,
        content_hash=blob.digest,
        raw_blob=blob,
    )


def test_worker_killed_mid_ingestion_and_mid_matching_recovers_without_loss(workers):
    imported = catalogue_import(path=BASE_DIR / "catalogue" / "fixtures" / "habanos-2016.csv")
    assert imported.summary["invalid"] == 0
    # No scheduled discovery may run (it would reach out to the network): only our tasks.
    Schedule.objects.all().delete()
    publication = _fetched_publication()
    # Parse, then (queued by the parse task on commit) ingest, then (queued by the
    # ingestion hook) embed and match: the real chain, on the real broker.
    async_task("customs.tasks.parse_publication", publication.pk, sync=False)

    # 1. Killed mid-ingestion: the ingest stage waits on its first entry write.
    with TableLock("customs_price_entry"):
        first = workers()
        _wait_for(
            lambda: _blocked_on("customs_price_entry"),
            timeout=300,
            what="the ingest stage to write entries",
            worker=first,
        )
        first.kill()
    _wait_for(lambda: _worker_backends() == 0, timeout=30, what="the dead worker's sessions")

    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PARSED  # the parse committed, not the ingest
    assert not CustomsPriceEntry.objects.filter(publication=publication).exists()
    assert OrmQ.objects.count() == 1  # the orphaned ingest task, locked until it expires

    # 2. Restarted: the ingest task comes back, completes, and queues matching; that
    #    worker is killed in turn while matching writes its first batch.
    with TableLock("cigar_customs_match"):
        second = workers()
        _wait_for(
            lambda: _blocked_on("cigar_customs_match"),
            timeout=RETRY_SECONDS + 300,
            what="matching to write its first batch",
            worker=second,
        )
        second.kill()
    _wait_for(lambda: _worker_backends() == 0, timeout=30, what="the dead worker's sessions")

    publication.refresh_from_db()
    assert publication.status == PublicationStatus.INGESTED
    entries = CustomsPriceEntry.objects.filter(publication=publication)
    entry_count = entries.count()
    assert entry_count == publication.entry_count > 200
    # The killed batch left nothing behind.
    assert not CigarCustomsMatch.objects.filter(price_entry__publication=publication).exists()
    assert not EntryMatchState.objects.filter(price_entry__publication=publication).exists()

    # 3. Restarted again: the matching task comes back and completes.
    third = workers()
    _wait_for(
        lambda: MatchingRun.objects.filter(
            scope=f"publication {publication.pk}", finished_at__isnull=False
        ).exists(),
        timeout=RETRY_SECONDS + 300,
        what="the matching run to finish",
        worker=third,
    )
    _wait_for(lambda: not OrmQ.objects.exists(), timeout=60, what="the queue to drain")
    third.stop()

    # Nothing duplicated, nothing missing.
    assert entries.count() == entry_count
    assert entries.values("row_number").distinct().count() == entry_count
    assert EntryMatchState.objects.filter(price_entry__publication=publication).count() == (
        entry_count
    )
    matches = CigarCustomsMatch.objects.filter(price_entry__publication=publication)
    assert matches.values("price_entry").distinct().count() > 0
    assert matches.count() == matches.values("price_entry", "cigar").distinct().count()
    assert matches.filter(rank=1).count() == matches.values("price_entry").distinct().count()
    # And nothing is left to do: an incremental run scores no entry.
    assert publication_match(publication=publication).run.entries_scored == 0
