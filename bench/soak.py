"""Soak: the running server on 127.0.0.1 under mixed load, with matching and an ingestion
in the background, bounded in time. Prints requests/s, latency percentiles and errors,
then checks that no human decision changed and that no publication has partial rows.

    python bench/soak.py [--seconds 60] [--concurrency 8] [--workers 3]

By default it prepares its own database (``cigarspace_soak`` on the embedded server:
migrate + ``demo_setup``, idempotent), serves it with gunicorn on a free 127.0.0.1 port
(production settings, throttles raised so that the figures measure the server, not the
rate limits), and stops everything it started. ``--base-url`` points it at a server you
run instead (its database must be the one this process sees: same environment).

Load, per client thread (each with its own account session: login once, then refresh
token rotation): list and detail reads (cigars, brands, publications, matches), trigram
searches, token refreshes, and review PATCHes (rejecting automatic candidates and
pending matches, each once). Background, started after a short warm-up: ``manage.py
match --all --force`` (re-scores everything: must leave human decisions alone) and
``manage.py ingest_file`` of a fresh edition (new bytes every run).

Only 127.0.0.1 is ever contacted. Figures are printed, never asserted; the exit status is
1 if a check fails (human decision changed, partial publication) or errors occurred.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOAK_DB = "cigarspace_soak"
SEARCH_TERMS = [
    "cohiba",
    "robusto",
    "siglo",
    "montecristo",
    "partagas serie",
    "churchill",
    "epicure",
    "behike",
    "edmundo",
    "coronas",
    "julieta",
    "trinidad",
    "punch",
]
DECISION_NOTE = "soak"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(db_name: str | None) -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "DJANGO_SETTINGS_MODULE": "cigarspace.settings"}
    if db_name:
        env["CIGARSPACE_DB_NAME"] = db_name
    return env


def _manage(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, **kwargs)


def prepare_database(db_name: str) -> None:
    """Create the soak database on the embedded server, migrate it, load the demo."""
    env = {**_env(db_name), "DEBUG": "1"}
    create = (
        "import os, psycopg\n"
        "from pathlib import Path\n"
        "from cigarspace import embedded_db\n"
        "from django.conf import settings\n"
        "import django; django.setup()\n"
        "info = embedded_db.ensure_running(Path(settings.CIGARSPACE_DATA_DIR))\n"
        "with psycopg.connect(host=str(info.socket_dir), port=info.port, user='postgres',\n"
        "                     dbname='postgres', autocommit=True) as c:\n"
        "    name = os.environ['CIGARSPACE_DB_NAME']\n"
        "    if not c.execute('SELECT 1 FROM pg_database WHERE datname=%s', (name,)).fetchone():\n"
        "        c.execute('CREATE DATABASE ' + name)\n"
    )
    subprocess.run([sys.executable, "-c", create], cwd=ROOT, env=env, check=True)
    for step in (["migrate", "--no-input", "-v", "0"], ["demo_setup", "-v", "0"]):
        print(f"prepare: manage.py {' '.join(step)}", flush=True)
        _manage(step, env, stdout=subprocess.DEVNULL).wait()


def start_server(db_name: str | None, workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **_env(db_name),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "SECURE_COOKIES": "false",
        # The figures measure the server, not the throttles (tested elsewhere).
        "THROTTLE_ANON": "1000000/minute",
        "THROTTLE_USER": "1000000/minute",
        "THROTTLE_LOGIN": "1000000/minute",
        "THROTTLE_LOGIN_EMAIL": "1000000/minute",
        "THROTTLE_REFRESH": "1000000/minute",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cigarspace.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            # The first requests load the app in each worker: slow on a busy machine.
            if requests.get(f"{base}/api/v1/brands/", timeout=30).status_code == 200:
                return server, base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("the server did not come up within 120 s")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.conflicts = 0
        self.decided: dict[int, str] = {}

    def record(self, kind: str, seconds: float, status: int | str, ok: bool, detail: str = ""):
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[status] += 1
            if status in (409, 412):
                self.conflicts += 1
            elif not ok:
                self.errors.append(f"{kind}: {status} {detail[:160]}")


class Client(threading.Thread):
    def __init__(self, base, email, password, stats, targets, ids, stop_at, seed) -> None:
        super().__init__(daemon=True)
        self.base, self.email, self.password = base, email, password
        self.stats, self.targets, self.ids, self.stop_at = stats, targets, ids, stop_at
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.refresh = None

    def call(self, kind, method, path, expect=(200,), **kwargs):
        started = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException as exc:
            self.stats.record(kind, time.perf_counter() - started, type(exc).__name__, False)
            return None
        elapsed = time.perf_counter() - started
        ok = response.status_code in expect
        self.stats.record(kind, elapsed, response.status_code, ok, response.text)
        return response

    def login(self) -> None:
        response = self.call(
            "login",
            "POST",
            "/api/v1/auth/token",
            json={"email": self.email, "password": self.password},
        )
        if response is None or response.status_code != 200:
            raise SystemExit("login failed: check --email/--password")
        body = response.json()
        self.session.headers["Authorization"] = f"Bearer {body['access']}"
        self.refresh = body["refresh"]

    def do_refresh(self) -> None:
        response = self.call(
            "refresh", "POST", "/api/v1/auth/refresh", json={"refresh": self.refresh}
        )
        if response is not None and response.status_code == 200:
            body = response.json()
            self.session.headers["Authorization"] = f"Bearer {body['access']}"
            self.refresh = body["refresh"]

    def do_read(self) -> None:
        choice = self.random.random()
        if choice < 0.3:
            self.call(
                "list",
                "GET",
                f"/api/v1/cigars/?page_size=20&brand={self.random.choice(self.ids['brands'])}",
            )
        elif choice < 0.5:
            self.call("detail", "GET", f"/api/v1/cigars/{self.random.choice(self.ids['cigars'])}/")
        elif choice < 0.65:
            self.call("list", "GET", "/api/v1/matches/?status=PENDING_REVIEW")
        elif choice < 0.8:
            self.call("list", "GET", "/api/v1/customs/publications/")
        else:
            self.call(
                "prices", "GET", f"/api/v1/cigars/{self.random.choice(self.ids['cigars'])}/prices/"
            )

    def do_search(self) -> None:
        self.call("search", "GET", f"/api/v1/cigars/?q={self.random.choice(SEARCH_TERMS)}")

    def do_review(self) -> None:
        try:
            match_id = self.targets.pop()
        except IndexError:
            return self.do_read()
        # 409: decided meanwhile (another thread settled the entry); 412 cannot happen
        # without If-Match. Both are counted as conflicts, not errors.
        response = self.call(
            "review",
            "PATCH",
            f"/api/v1/matches/{match_id}/",
            expect=(200,),
            json={"status": "HUMAN_REJECTED", "note": DECISION_NOTE},
        )
        if response is not None and response.status_code == 200:
            with self.stats.lock:
                self.stats.decided[match_id] = "HUMAN_REJECTED"

    def warm_up(self) -> None:
        """Unrecorded: the first search in each server process loads the embedding model."""
        for term in SEARCH_TERMS[:3]:
            with contextlib.suppress(requests.RequestException):
                self.session.get(f"{self.base}/api/v1/cigars/?q={term}", timeout=120)

    def run(self) -> None:
        self.login()
        actions = [
            (self.do_read, 0.55),
            (self.do_search, 0.25),
            (self.do_refresh, 0.08),
            (self.do_review, 0.12),
        ]
        while time.monotonic() < self.stop_at:
            roll, acc = self.random.random(), 0.0
            for action, weight in actions:
                acc += weight
                if roll <= acc:
                    action()
                    break


def soak_edition(directory: Path) -> Path:
    """Edition B with every price moved a little: new bytes, so a real ingestion."""
    from customs.demo.editions import edition_rows
    from tests.customs.fixtures.build_fixtures import write_ods

    rnd = random.Random(time.time_ns())
    rows = []
    for row in edition_rows("B"):
        row = list(row)
        if len(row) == 6 and isinstance(row[4], float):
            row[4] = round(row[4] * (1 + rnd.uniform(0.0, 0.05)), 2)
        rows.append(row)
    rows[0] = ["Arrêté du 27 novembre 2026, applicable au 1er janvier 2027"]
    return write_ods(directory / f"soak-{rnd.randrange(10**9)}.ods", rows)


def snapshot_human():
    from matching.models import HUMAN_STATUSES, CigarCustomsMatch

    return {
        row["pk"]: row
        for row in CigarCustomsMatch.objects.filter(status__in=HUMAN_STATUSES).values(
            "pk", "status", "cigar_id", "price_entry_id", "decided_by_id", "decided_at", "note"
        )
    }


def partial_publications() -> list[str]:
    from django.db.models import Count

    from customs.models import CustomsPublication, PublicationStatus

    problems = []
    for pub in CustomsPublication.objects.annotate(n=Count("entries")):
        if pub.status == PublicationStatus.INGESTED and pub.n != pub.entry_count:
            problems.append(f"publication {pub.pk}: {pub.n} rows, {pub.entry_count} announced")
        if pub.status != PublicationStatus.INGESTED and pub.n:
            problems.append(f"publication {pub.pk} is {pub.status} with {pub.n} rows")
    return problems


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _exit_on_sigterm(signum, _frame) -> None:
    # Turn SIGTERM (timeout, CI) into an exception so that the server and the background
    # commands started here are stopped by the finally blocks below.
    raise SystemExit(f"stopped by signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--base-url", help="An already running server (default: start one).")
    parser.add_argument("--database", default=SOAK_DB, help="Embedded database to use.")
    parser.add_argument("--email", default="soak-operator@cigarspace.local")
    parser.add_argument(
        "--password", help="Of --email (default: a soak operator is created or reset)."
    )
    parser.add_argument(
        "--background-timeout",
        type=float,
        default=300,
        help="Seconds each background command may still run after the load ends.",
    )
    args = parser.parse_args()
    if args.base_url and not args.base_url.startswith(("http://127.0.0.1", "http://localhost")):
        raise SystemExit("the soak only targets servers on this machine (127.0.0.1)")
    if not 1 <= args.seconds <= 3600:
        raise SystemExit("--seconds must be within 1..3600")

    db_name = None if args.base_url else args.database
    if db_name:
        os.environ["CIGARSPACE_DB_NAME"] = db_name
        prepare_database(db_name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()

    from catalogue.models import Brand, Cigar
    from matching.models import CigarCustomsMatch, MatchStatus

    password = args.password
    if password is None:
        # A dedicated operator with a fresh password each run (its decisions are the soak's).
        import secrets

        from django.contrib.auth import get_user_model

        password = secrets.token_urlsafe(16)
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=args.email).first()
        if user is None:
            user = user_model.objects.create_superuser(email=args.email, password=password)
        user.set_password(password)
        user.save()

    human_before = snapshot_human()
    ids = {
        "cigars": list(Cigar.objects.values_list("pk", flat=True)),
        "brands": list(Brand.objects.values_list("slug", flat=True)),
    }
    targets = list(
        CigarCustomsMatch.objects.filter(
            status__in=[MatchStatus.PENDING_REVIEW, MatchStatus.AUTO_REJECTED]
        )
        .order_by("?")
        .values_list("pk", flat=True)[:2000]
    )

    server = None
    base = args.base_url
    if base is None:
        server, base = start_server(db_name, args.workers)
    background: list[tuple[str, subprocess.Popen, float]] = []
    stats = Stats()
    tmp = tempfile.TemporaryDirectory(prefix="soak-")
    try:
        stop_at = time.monotonic() + args.seconds
        clients = [
            Client(base, args.email, password, stats, targets, ids, stop_at, seed)
            for seed in range(args.concurrency)
        ]
        print("warming up (the first search of each server process loads the model)…")
        warmers = [threading.Thread(target=c.warm_up) for c in clients]
        for warmer in warmers:
            warmer.start()
        for warmer in warmers:
            warmer.join()
        stop_at = time.monotonic() + args.seconds
        for client in clients:
            client.stop_at = stop_at
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(min(3.0, args.seconds / 4))
        env = {**_env(db_name), "DEBUG": "1"}
        edition = soak_edition(Path(tmp.name))
        for name, argv in (
            ("match --all --force", ["match", "--all", "--force", "-v", "0"]),
            ("ingest_file", ["ingest_file", "--source", "fr-douane-opendata", str(edition)]),
        ):
            process = _manage(argv, env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            background.append((name, process, time.monotonic()))
        for client in clients:
            client.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - started
        for name, process, began in background:
            try:
                _out, err = process.communicate(timeout=args.background_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                _out, err = process.communicate()
            print(
                f"background {name}: exit {process.returncode} after "
                f"{time.monotonic() - began:.1f} s"
            )
            if process.returncode:
                print(f"  {err.decode(errors='replace')[-300:]}")
    finally:
        for _name, process, _began in background:
            if process.poll() is None:
                process.kill()
                process.wait()
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        tmp.cleanup()

    total = sum(len(v) for v in stats.latencies.values())
    every = [x for v in stats.latencies.values() for x in v]
    print(
        f"\n{total} requests in {elapsed:.1f} s with {args.concurrency} clients: "
        f"{total / elapsed:.1f} requests/s"
    )
    print(
        f"latency: p50 {percentile(every, 0.5) * 1000:.1f} ms, "
        f"p95 {percentile(every, 0.95) * 1000:.1f} ms, "
        f"p99 {percentile(every, 0.99) * 1000:.1f} ms"
    )
    for kind, values in sorted(stats.latencies.items()):
        print(
            f"  {kind:<8} {len(values):>6}  p50 {statistics.median(values) * 1000:7.1f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:7.1f} ms"
        )
    print(f"statuses: {dict(sorted(stats.statuses.items(), key=str))}")
    print(
        f"errors: {len(stats.errors)}; conflicts (409/412): {stats.conflicts}; "
        f"review decisions made: {len(stats.decided)}"
    )
    for line in stats.errors[:10]:
        print(f"  {line}")

    from django.db import connection

    connection.close()
    human_after = snapshot_human()
    changed = [pk for pk, row in human_before.items() if human_after.get(pk) != row]
    overwritten = [
        pk
        for pk, status in stats.decided.items()
        if human_after.get(pk, {}).get("status") != status
    ]
    partial = partial_publications()
    print(
        f"human decisions before: {len(human_before)}, changed since: {len(changed)}; "
        f"soak decisions kept: {len(stats.decided) - len(overwritten)}/{len(stats.decided)}"
    )
    print(f"publications with partial rows: {len(partial)}")
    for line in partial[:10]:
        print(f"  {line}")
    failed = bool(changed or overwritten or partial or stats.errors)
    print("RESULT:", "FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
