"""Benchmark: store a generated 500 MB file in the blob store; print time and peak memory.

    python bench/blob_store.py [--megabytes 500]

The store runs in a child process so that its peak resident memory (ru_maxrss) is its
own, not this script's. Target: peak RSS < 100 MB whatever the file size, because the
store hashes and copies in 1 MiB chunks. The child writes into a temporary directory and
rolls its database row back, so the benchmark leaves nothing behind.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 1024 * 1024


def generate(path: Path, megabytes: int) -> None:
    # One random block varied per MiB: incompressible enough, and fast to write.
    block = bytearray(os.urandom(BLOCK))
    with path.open("wb") as sink:
        for index in range(megabytes):
            block[:8] = index.to_bytes(8, "little")
            sink.write(block)


def child(path: Path, store_dir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cigarspace.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    settings.STORAGES = {
        **settings.STORAGES,
        "blobs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(store_dir)},
        },
    }
    from media.services import blob_put_file

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with transaction.atomic():
        blob = blob_put_file(path)
        elapsed = time.perf_counter() - started
        digest, size = blob.digest, blob.size
        transaction.set_rollback(True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "size": size,
                "digest": digest,
                "baseline_rss_kib": baseline,
                "peak_rss_kib": peak,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=500)
    parser.add_argument("--child", nargs=2, metavar=("FILE", "STORE_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return

    with tempfile.TemporaryDirectory(prefix="bench-blob-") as directory:
        source = Path(directory) / "source.bin"
        print(f"Generating {args.megabytes} MB …", flush=True)
        generate(source, args.megabytes)
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(source), str(Path(directory) / "store")],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if result.returncode != 0:
            sys.exit(f"The child failed:\n{result.stderr}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])

    mib = figures["size"] / BLOCK
    peak_mb = figures["peak_rss_kib"] / 1024
    baseline_mb = figures["baseline_rss_kib"] / 1024
    print(f"stored        {mib:.0f} MiB, blake3 {figures['digest'][:16]}…")
    print(f"wall time     {figures['seconds']:.2f} s ({mib / figures['seconds']:.0f} MiB/s)")
    print(f"RSS before    {baseline_mb:.1f} MB (Django and the apps loaded)")
    print(f"peak RSS      {peak_mb:.1f} MB (target < 100 MB)")
    print(f"store's share {peak_mb - baseline_mb:.1f} MB")
    print("PASS" if peak_mb < 100 else "FAIL: peak RSS over 100 MB")


if __name__ == "__main__":
    main()
