"""``manage.py demo_setup``: load the whole demo (a thin caller of ``demo.setup``).

Idempotent: running it again changes nothing and duplicates nothing; the summary it prints
is the same.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from demo.setup import EDITION_FILES, DemoResult, demo_setup
from demo.spain import SPAIN_STEPS, print_spain


class Command(BaseCommand):
    help = (
        "Load the Habanos demo catalogue, ingest and match the two demo DGDDI editions, "
        "settle part of the review queue as the demo operator, print credentials and a summary."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-review",
            action="store_true",
            help="Leave edition A's whole review queue to a human (no scripted decisions).",
        )

    def handle(self, *args, no_review: bool = False, **options) -> None:
        steps = 3 + 2 * len(EDITION_FILES) + (0 if no_review else 1) + SPAIN_STEPS
        with tqdm(total=steps, desc="demo", unit="step", disable=options["verbosity"] == 0) as bar:

            def progress(message: str) -> None:
                bar.set_postfix_str(message[:60])
                bar.update(1)

            try:
                result = demo_setup(review=not no_review, progress=progress)
            except (ValueError, OSError) as exc:
                raise CommandError(f"The demo could not be loaded: {exc}") from exc
            bar.update(bar.total - bar.n)
        self._print(result)

    def _print(self, result: DemoResult) -> None:
        write = self.stdout.write
        catalogue = ", ".join(f"{k} {v}" for k, v in result.catalogue.items())
        write(f"\nCatalogue (Habanos 2016): {catalogue}")
        if any(result.reviewed.values()):
            write(
                "Scripted review of edition A by the operator: "
                + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.reviewed.items())
            )
        header = (
            f"{'edition':<8}{'publication':>12}{'effective':>12}{'entries':>9}"
            f"{'auto-acc.':>10}{'(alias)':>8}{'human-acc.':>11}{'pending':>9}{'rejected':>9}"
        )
        write("")
        write(header)
        write("-" * len(header))
        for e in result.editions:
            write(
                f"{e.edition:<8}{e.publication_id:>12}{e.effective_date:>12}{e.cigar_entries:>9}"
                f"{e.auto_accepted:>10}{e.via_alias:>8}"
                f"{e.human_accepted:>11}{e.pending_review:>9}{e.rejected:>9}"
            )
        for e in result.editions:
            diff = ", ".join(f"{k} {v}" for k, v in e.diff.items() if v)
            write(f"Edition {e.edition} vs the previous edition: {diff or 'first edition'}")
        if result.matching:
            thresholds = result.matching["thresholds"]
            vocabulary = result.matching["vocabulary"]
            write(
                f"Matching thresholds ({thresholds['method']}): auto-accept ≥ "
                f"{thresholds['accept']:.3f} with nothing unexplained, review ≥ "
                f"{thresholds['review_floor']:.3f} (budget "
                f"{100 * thresholds['review_budget']:.0f} % of a first edition)"
            )
            counts = ", ".join(f"{k} {v}" for k, v in vocabulary["counts"].items())
            learned = "; ".join(vocabulary["learned"]) or "none yet"
            write(f"Learned vocabulary from decisions: {counts} ({learned})")
            if "queue" in result.matching:
                queue = result.matching["queue"]
                write(
                    f"Review queue: {queue['items']} item(s) for {queue['lines']} line(s) "
                    "(one item per product, across editions and presentations)"
                )

        if result.watch:
            from watch.demo_report import watch_demo_lines

            write("")
            for line in watch_demo_lines(result.watch):
                write(line)
        print_spain(result.spain, write)

        operator = result.operator
        write("")
        if operator.created:
            write(self.style.SUCCESS(f"Created the demo operator {operator.email}."))
        write("  Admin:        http://127.0.0.1:8000/admin/")
        write("  Review queue: http://127.0.0.1:8000/admin/matching/cigarcustomsmatch/")
        write("  API docs:     http://127.0.0.1:8000/api/docs/")
        write("  Health:       http://127.0.0.1:8000/health")
        write(f"  Email:        {operator.email}")
        if operator.password:
            write(f"  Password:     {operator.password}")
        else:
            write("  Password:     (changed since the demo created it)")
        write("  Habanos reference data: cubancigarwebsite.com")
        write("")
