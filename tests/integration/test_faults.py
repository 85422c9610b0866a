"""The fault suite (`make faults`) as part of the test run: each single fault of issue 13
against real processes, and nothing lost afterwards. Its report (recovery times, 503
latencies) is written next to the run's logs; no time is asserted."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.single_redis]

ROOT = Path(__file__).resolve().parents[2]


def test_no_single_fault_loses_a_write(tmp_path: Path) -> None:
    # Not under pytest's private tmp: the suite's Postgres runs as its own OS user.
    out = Path(tempfile.mkdtemp(prefix="twitter-faults-"))
    out.chmod(0o755)
    try:
        _run_and_check(out)
    finally:
        for name in ("report.md", "results.json"):
            if (out / name).exists():
                shutil.copy(out / name, tmp_path / name)
        shutil.rmtree(out, ignore_errors=True)


def _run_and_check(out: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "devstack.faults"],
        cwd=ROOT,
        env={**os.environ, "FAULTS_DIR": str(out)},
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    results = json.loads((out / "results.json").read_text())
    assert "checks" in results, run.stdout[-3000:] + run.stderr[-3000:]
    faults = {fault["fault"]: fault for fault in results["faults"]}
    assert set(faults) == {"broker", "worker", "replica", "primary", "data Redis"}
    checks = results["checks"]
    assert checks["writes_answered_201"] > 0
    assert checks["lost"] == 0
    assert checks["duplicated"] == 0
    assert checks["outbox_pending"] == checks["outbox_unconfirmed"] == checks["dead_letters"] == 0
    differing = {
        name: (fault["timelines_differing"], fault.get("differences"))
        for name, fault in faults.items()
        if fault["timelines_differing"] != 0
    }
    assert not differing, f"cached homes that differ from the database after a fault: {differing}"
    assert faults["worker"]["timelines_checked"] > 1000  # the big account's followers were checked
    assert faults["broker"]["messages_lost_with_the_broker"] > 0  # the fault did happen
    assert faults["replica"]["stale_reads"] == 0
    assert faults["primary"]["writes"]["statuses"].get("503", 0) > 0
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
