"""``crawl MERCHANT [--limit N] [--resume]``: crawl one shop, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from merchants.crawler import CrawlAlreadyRunning, merchant_crawl
from merchants.models import CrawlRun, CrawlUrl, Merchant, RunStatus
from merchants.selectors import merchant_get


class Command(BaseCommand):
    help = "Crawl a merchant: robots.txt, sitemaps and listings, then every product page."

    def add_arguments(self, parser) -> None:
        parser.add_argument("merchant", help="Merchant slug (or id).")
        parser.add_argument(
            "--limit", type=int, default=None, help="Stop after N product pages (resumable)."
        )
        parser.add_argument(
            "--resume", action="store_true", help="Continue the last unfinished run."
        )

    def handle(self, *args, **options) -> None:
        try:
            merchant = merchant_get(reference=options["merchant"])
        except Merchant.DoesNotExist as exc:
            known = ", ".join(Merchant.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"{exc} Known merchants: {known}.") from None
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        with tqdm(unit="page", desc=merchant.slug, disable=options["verbosity"] == 0) as bar:

            def on_page(item: CrawlUrl, run: CrawlRun) -> None:
                # The frontier grows as sitemaps and listings are read: so does the total.
                bar.total = run.urls.count()
                bar.set_postfix_str(f"{item.kind} {item.state}", refresh=False)
                bar.update(1)

            try:
                run = merchant_crawl(
                    merchant=merchant,
                    limit=options["limit"],
                    resume=options["resume"],
                    on_page=on_page,
                )
            except CrawlAlreadyRunning as exc:
                raise CommandError(str(exc)) from None
            except KeyboardInterrupt:
                raise CommandError(
                    f"Interrupted; `crawl {merchant.slug} --resume` continues."
                ) from None
        style = self.style.SUCCESS if run.status == RunStatus.FINISHED else self.style.WARNING
        self.stdout.write(style(f"{merchant.name}: run {run.pk} {run.get_status_display()}"))
        self.stdout.write(run.summary())
        if run.status == RunStatus.INCOMPLETE:
            self.stdout.write(f"{run.message}\nContinue with: crawl {merchant.slug} --resume")
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)
