"""`manage.py bench`: run the benchmark against the configured databases and Redis."""

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Seed, warm, start the stack, run every scenario with same-run baselines, and write the report."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", default=str(Path(__file__).resolve().parents[4] / "bench" / "results"))
        for name, default in (
            ("users", 20_000),
            ("follows", 50),
            ("tweets", 200_000),
            ("celebrities", 3),
            ("big-account", 9_500),
            ("readers", 2_000),
            ("cold-users", 300),
            ("duration", 10),
            ("rounds", 3),
            ("connections", 64),
            ("workers", 2),
            ("threads", 4),
        ):
            parser.add_argument(f"--{name}", type=int, default=default)

    def handle(self, *args: Any, **opts: Any) -> None:
        from bench import report
        from bench.runner import Bench, Options

        out = Path(opts["out"]) / time.strftime("%Y%m%d-%H%M%S")
        out.mkdir(parents=True)
        options = Options(**{field: opts[field] for field in Options.__dataclass_fields__ if field in opts})
        results = Bench(out, options, self.stdout.write).run()
        path = report.write(results, out)
        self.stdout.write(self.style.SUCCESS(f"report: {path}"))
        self.stdout.write(path.read_text().split("## Scenarios")[0])
