"""Benchmark: price-watch events for 10,000 watchlists x one edition of 3,000 entries, then
webhook delivery to a local receiver.

    python bench/notify.py [--watchlists 10000] [--entries 3000] [--deliveries 5000]
                           [--senders 4]

In a dedicated database ``cigarspace_bench_notify`` of the embedded server (rebuilt on
every run, so that the events are computed from nothing):

1. a catalogue of ``--entries`` cigars (25 brands, 4 lines each), a previous edition and a
   new one of ``--entries`` lines each, every line linked to its cigar (accepted match);
   the new edition changes half the prices (one in a hundred by x2: suspect, held), adds,
   withdraws and renames a few lines;
2. ``--watchlists`` watchlists of 1,000 users: 80 % watch 10 cigars, 10 % a line, 8 % a
   brand, 2 % the whole source (one
   new-edition event each) — target: the events computed in ≤ 30 s
   (``publication_events_compute``, idempotent: a second run is timed too);
3. webhook endpoints for enough users to get about ``--deliveries`` deliveries, all to a
   receiver on 127.0.0.1 that verifies every signature; ``--senders`` threads run
   ``deliveries_send_due`` side by side (they share the work through SKIP LOCKED claims).
   Printed: deliveries/s, p50/p95 latency of a POST, lost (succeeded in the log but never
   received), duplicated (received twice), bad signatures.

Figures are printed, never asserted: the machine (2 cores, shared) decides them.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "cigarspace_bench_notify"
BRANDS = 25
LINES_PER_BRAND = 4
USERS = 1000


def setup_django() -> None:
    from bench.django_setup import bench_django

    bench_django(
        BENCH_DB,
        # The receiver runs on this machine: the guard lets exactly that address through.
        environ={
            "HTTP_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
        },
    )


def reset() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE watch_webhook_attempt, watch_webhook_delivery, watch_webhook_endpoint, "
            "watch_email_digest, watch_event, watch_suspect_change, watch_item, "
            "watch_watchlist, cigar_customs_match, customs_price_entry, customs_run, "
            "customs_publication, cigar_package, cigar, cigar_line, brand CASCADE"
        )
        cursor.execute("DELETE FROM api_user WHERE email LIKE '%%@bench.invalid'")


def build(entries: int, rng: random.Random):
    """Catalogue, two editions and their accepted matches; returns the new edition."""
    import datetime as dt

    from catalogue.models import Brand, Cigar, CigarLine
    from customs.models import CustomsPriceEntry, CustomsPublication, CustomsSource
    from matching.models import CigarCustomsMatch

    brands = Brand.objects.bulk_create(
        [Brand(name=f"Bench Brand {b}", slug=f"bench-brand-{b}", aliases=[]) for b in range(BRANDS)]
    )
    lines = CigarLine.objects.bulk_create(
        [
            CigarLine(brand=brand, name=f"Line {n}", slug=f"line-{n}")
            for brand in brands
            for n in range(LINES_PER_BRAND)
        ]
    )
    cigars = Cigar.objects.bulk_create(
        [
            Cigar(
                line=lines[i % len(lines)],
                external_id=f"bench:{i}",
                vitola_name=f"Vitola {i}",
                full_name=f"{lines[i % len(lines)].brand.name} {lines[i % len(lines)].name} {i}",
                search_name=f"bench {i}",
                slug=f"bench-{i}",
            )
            for i in range(entries)
        ]
    )
    source = CustomsSource.objects.get(slug="fr-douane-opendata")
    previous = CustomsPublication.objects.create(
        source=source,
        external_id="bench-previous",
        title="Bench edition 1",
        effective_date=dt.date(2026, 6, 1),
        status="ingested",
        entry_count=entries,
    )
    edition = CustomsPublication.objects.create(
        source=source,
        external_id="bench-edition",
        title="Bench edition 2",
        effective_date=dt.date(2026, 11, 1),
        status="ingested",
        entry_count=entries,
    )
    old_rows, new_rows = [], []
    for i, cigar in enumerate(cigars):
        pack = rng.choice([5, 10, 20, 25])
        unit = Decimal(rng.randint(300, 5000)) / 100
        label = f"{cigar.full_name}, en {pack} cigares"
        old_rows.append(
            CustomsPriceEntry(
                publication=previous,
                row_number=i,
                raw_label=label,
                category="Cigares et cigarillos",
                normalised_label=label.lower(),
                pack_size=pack,
                unit_price=unit,
                pack_price=unit * pack,
                currency_code="EUR",
                change_kind="unchanged",
            )
        )
        roll = rng.random()
        kind, new_unit, new_label, withdrawn = "unchanged", unit, "", False
        if roll < 0.50:
            kind = "changed"
            factor = Decimal("2") if rng.random() < 0.01 else Decimal("1.04")
            new_unit = (unit * factor).quantize(Decimal("0.01"))
        elif roll < 0.53:
            kind = "new"
        elif roll < 0.55:
            kind, withdrawn = "withdrawn", True
        elif roll < 0.57:
            kind, new_label = "renamed", f"{label} (new name)"
        new_rows.append(
            CustomsPriceEntry(
                publication=edition,
                row_number=i,
                raw_label=label,
                new_label=new_label,
                category="Cigares et cigarillos",
                normalised_label=label.lower(),
                pack_size=pack,
                unit_price=new_unit,
                pack_price=new_unit * pack,
                currency_code="EUR",
                change_kind=kind,
                is_withdrawn=withdrawn,
                parsed={"previous": {"unit_price": str(unit), "pack_price": str(unit * pack)}}
                if kind != "new"
                else {},
            )
        )
    CustomsPriceEntry.objects.bulk_create(old_rows, batch_size=1000)
    CustomsPriceEntry.objects.bulk_create(new_rows, batch_size=1000)
    matches = []
    for rows in (old_rows, new_rows):
        for cigar, entry in zip(cigars, rows, strict=True):
            matches.append(
                CigarCustomsMatch(
                    cigar=cigar,
                    price_entry=entry,
                    match_method="exact",
                    score=Decimal("0.990"),
                    status="AUTO_ACCEPTED",
                )
            )
    CigarCustomsMatch.objects.bulk_create(matches, batch_size=2000)
    return edition, cigars, lines, brands, source


def watchlists(count: int, cigars, lines, brands, source, rng: random.Random) -> list:
    from django.contrib.auth import get_user_model

    from watch.models import WatchItem, Watchlist

    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        [
            user_model(email=f"user{u}@bench.invalid", password="!")  # noqa: S106 (unusable)
            for u in range(USERS)
        ]
    )
    lists = Watchlist.objects.bulk_create(
        [
            Watchlist(owner=users[i % USERS], name=f"list {i}", email_digest=False)
            for i in range(count)
        ],
        batch_size=2000,
    )
    items = []
    for watchlist in lists:
        roll = rng.random()
        if roll < 0.80:
            for cigar in rng.sample(cigars, 10):
                items.append(WatchItem(watchlist=watchlist, scope="cigar", cigar=cigar))
        elif roll < 0.90:
            items.append(WatchItem(watchlist=watchlist, scope="line", line=rng.choice(lines)))
        elif roll < 0.98:
            items.append(WatchItem(watchlist=watchlist, scope="brand", brand=rng.choice(brands)))
        else:
            items.append(WatchItem(watchlist=watchlist, scope="source", source=source))
    WatchItem.objects.bulk_create(items, batch_size=5000)
    return users


class Receiver:
    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.received: Counter[str] = Counter()
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body leave in separate writes: without this, Nagle's algorithm
            # and the client's delayed ACK add 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                secret = receiver.secrets.get(self.path, "")
                timestamp = self.headers.get("X-CigarSpace-Timestamp", "")
                expected = (
                    "v1="
                    + hmac.new(
                        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
                    ).hexdigest()
                )
                ok = hmac.compare_digest(expected, self.headers.get("X-CigarSpace-Signature", ""))
                with receiver.lock:
                    receiver.received[self.headers.get("X-CigarSpace-Delivery", "")] += 1
                    receiver.bad_signatures += not ok
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


def deliver(edition, users, target: int, senders: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from watch.models import (
        DeliveryStatus,
        WatchEvent,
        WebhookAttempt,
        WebhookDelivery,
        WebhookEndpoint,
    )
    from watch.services import deliveries_create, deliveries_send_due, endpoint_create

    receiver = Receiver()
    per_user = Counter(
        WatchEvent.objects.filter(hold="released").values_list("watchlist__owner_id", flat=True)
    )
    chosen, planned = [], 0
    for user in users:
        if planned >= target:
            break
        if per_user.get(user.pk):
            chosen.append(user)
            planned += per_user[user.pk]
    for user in chosen:
        path = f"/hook/{user.pk}"
        _endpoint, secret = endpoint_create(owner=user, url=receiver.url(path))
        receiver.secrets[path] = secret
    # The endpoints are younger than the events: date them back so they get them.
    WebhookEndpoint.objects.filter(owner__in=chosen).update(
        created_at=timezone.now() - dt.timedelta(days=1)
    )
    created = deliveries_create(publication_id=edition.pk)
    print(f"deliveries: {created:,} to {len(chosen)} endpoints, {senders} sender thread(s)")

    def sender() -> None:
        try:
            deliveries_send_due()
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    succeeded = {
        str(pk)
        for pk in WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).values_list(
            "pk", flat=True
        )
    }
    durations = sorted(WebhookAttempt.objects.values_list("duration_ms", flat=True))
    lost = len(succeeded - set(receiver.received))
    duplicated = sum(1 for n in receiver.received.values() if n > 1)
    p95 = durations[int(0.95 * (len(durations) - 1))] if durations else 0
    print(
        f"delivered {len(succeeded):,}/{created:,} in {elapsed:.1f} s: "
        f"{len(succeeded) / elapsed:,.0f} deliveries/s; POST latency p50 "
        f"{statistics.median(durations) if durations else 0:.0f} ms, p95 {p95} ms; "
        f"lost {lost}, duplicated {duplicated}, bad signatures {receiver.bad_signatures}, "
        f"not delivered {created - len(succeeded)}"
    )
    receiver.httpd.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watchlists", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=3_000)
    parser.add_argument("--deliveries", type=int, default=5_000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    rng = random.Random(args.seed)

    from watch.models import WatchEvent
    from watch.services import publication_events_compute

    started = time.perf_counter()
    reset()
    edition, cigars, lines, brands, source = build(args.entries, rng)
    users = watchlists(args.watchlists, cigars, lines, brands, source, rng)
    # Statistics as a running installation has them (autovacuum analyses tables that grew):
    # just after a bulk load the planner would guess, and the figure would measure that.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"setup: {args.entries:,} cigars, 2 editions, {args.watchlists:,} watchlists "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    outcome = publication_events_compute(publication_id=edition.pk)
    first = time.perf_counter() - started
    print(
        f"events: {outcome.created:,} ({outcome.held:,} held, {outcome.suspects} suspect "
        f"changes) in {first:.2f} s  (target ≤ 30 s)"
    )
    started = time.perf_counter()
    again = publication_events_compute(publication_id=edition.pk)
    print(
        f"re-run: {again.created} new events in {time.perf_counter() - started:.2f} s; "
        f"{WatchEvent.objects.count():,} rows in all"
    )
    deliver(edition, users, args.deliveries, args.senders)


if __name__ == "__main__":
    main()
