"""Benchmark: login timing per failure kind (user enumeration), and the cost of each auth step.

    python bench/auth_timing.py [--rounds 40]

Creates a throw-away database ``test_bench_accounts`` on the embedded server (or
DATABASE_URL), then times, with the production password hasher (argon2id):

- a login with a wrong password for an existing email, with an unknown email, and for a
  deactivated user: the three medians should be close (the unknown email verifies a dummy
  hash), which is what keeps the endpoint from telling whether an account exists;
- a successful login (verification + refresh row + access JWT), a refresh rotation (row
  lock + revoke + insert), and an API-key authentication (sha256 + one indexed lookup).

Figures are printed, never asserted: the machine decides them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings_test")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CIGARSPACE_TEST_DB_NAME", "test_bench_accounts")


def _report(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)
    print(f"{label:<38} median {median:7.2f} ms   p95 {p95:7.2f} ms   (n={len(samples)})")
    return median


def _time(label: str, rounds: int, step: Callable[[], object]) -> float:
    samples = []
    for _ in tqdm(range(rounds), desc=label, leave=False):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    return _report(label, samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds

    import django

    django.setup()
    from django.test.utils import setup_databases, teardown_databases

    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        from accounts.models import User
        from accounts.services import (
            AuthenticationError,
            api_key_authenticate,
            api_key_create,
            auth_login,
            refresh_token_rotate,
            user_authenticate,
        )

        password = "a-long-bench-password"  # noqa: S105 (a throw-away bench account)
        User.objects.create_user(email="known@example.com", password=password)
        User.objects.create_user(email="gone@example.com", password=password, is_active=False)

        def refused(email: str, attempt: str) -> Callable[[], None]:
            def step() -> None:
                try:
                    user_authenticate(email=email, password=attempt)
                except AuthenticationError:
                    return
                raise AssertionError("the credentials were accepted")

            return step

        refused("nobody@example.com", password)()  # warm the dummy hash up once
        print(f"Login timing, argon2id, {rounds} rounds each (interleaved, same load):")
        kinds = {
            "wrong password (existing email)": refused("known@example.com", "x"),
            "unknown email": refused("nobody@example.com", password),
            "deactivated user": refused("gone@example.com", password),
        }
        samples: dict[str, list[float]] = {label: [] for label in kinds}
        for _ in tqdm(range(rounds), desc="failed logins", leave=False):
            for label, step in kinds.items():
                started = time.perf_counter()
                step()
                samples[label].append((time.perf_counter() - started) * 1000)
        medians = [_report(label, values) for label, values in samples.items()]
        spread = (max(medians) / min(medians) - 1) * 100
        print(f"{'spread of the three medians':<38} {spread:6.1f} %")

        issued = [auth_login(email="known@example.com", password=password)]
        _time(
            "successful login (tokens issued)",
            rounds,
            lambda: auth_login(email="known@example.com", password=password),
        )

        def rotate() -> None:
            issued[0] = refresh_token_rotate(secret=issued[0].refresh)

        _time("refresh rotation", rounds, rotate)
        owner = User.objects.get(email="known@example.com")
        _, raw_key = api_key_create(owner=owner, name="bench")
        _time("API-key authentication", rounds, lambda: api_key_authenticate(raw_key=raw_key))
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
