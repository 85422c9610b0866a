"""`manage.py bench`: run the benchmark against the configured databases and Redis."""

import dataclasses
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Seed, warm, start the stack, run every scenario with same-run baselines, and write the report."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", default=str(Path(__file__).resolve().parents[4] / "bench" / "results"))
        from bench.runner import SCENARIOS, Options

        parser.add_argument(
            "--only", default=",".join(SCENARIOS), help=f"scenarios to run, comma-separated: {', '.join(SCENARIOS)}"
        )

        for option in dataclasses.fields(Options):
            parser.add_argument(f"--{option.name.replace('_', '-')}", type=int, default=option.default)

    def handle(self, *args: Any, **opts: Any) -> None:
        from bench import report
        from bench.runner import SCENARIOS, Bench, Options

        out = Path(opts["out"]) / time.strftime("%Y%m%d-%H%M%S")
        out.mkdir(parents=True)
        options = Options(**{field: opts[field] for field in Options.__dataclass_fields__ if field in opts})
        only = {name.strip() for name in opts["only"].split(",") if name.strip()}
        if unknown := only - set(SCENARIOS):
            raise CommandError(f"unknown scenarios: {', '.join(sorted(unknown))} (known: {', '.join(SCENARIOS)})")
        results = Bench(out, options, self.stdout.write, only).run()
        path = report.write(results, out)
        self.stdout.write(self.style.SUCCESS(f"report: {path}"))
        self.stdout.write(path.read_text().split("## Scenarios")[0])
