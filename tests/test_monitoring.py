"""The monitoring committed with the code (deploy/monitoring): Prometheus' configuration and
alert rules pass promtool (`check` and the rules' own unit tests), and the Grafana
dashboard is well formed and asks only for series the platform exports."""

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY, Counter, Gauge, Histogram

from devstack.promtool import promtool_binary
from twitter import metrics
from twitter.worker_metrics import StateCollector

# Independent of where application data lives: the single-Redis pass only.
pytestmark = pytest.mark.single_redis

MONITORING = Path(__file__).resolve().parent.parent / "deploy" / "monitoring"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "twitter.json"
SERIES = re.compile(r"\b((?:twitter|django)_[a-z_]+)\b")


def _promtool(*args: str, cwd: Path = MONITORING) -> str:
    done = subprocess.run(
        [os.environ.get("PROMTOOL_BIN") or promtool_binary(), *args], cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_alert_rules_pass_promtool_and_their_unit_tests() -> None:
    assert "SUCCESS: 10 rules found" in _promtool("check", "rules", "alerts.yml")
    assert "SUCCESS" in _promtool("test", "rules", "alerts.test.yml")


def test_the_prometheus_configuration_passes_promtool(tmp_path: Path) -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]  # where compose mounts it
    config["rule_files"] = [str(MONITORING / "alerts.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    _promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert jobs == {"write-api", "read-api", "streaming", "worker"}


@pytest.fixture
def exported(db: None) -> set[str]:
    """Every series name this platform's processes export: the metrics registered in a
    process (the platform's and django-prometheus') and those the worker reads at a scrape."""
    from django_prometheus.middleware import Metrics

    Metrics.get_instance()  # the request series, registered when a first request comes

    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"], "summary": ["_count", "_sum"]}
    names = {
        family.name + suffix
        for family in [*REGISTRY.collect(), *StateCollector().collect()]
        for suffix in suffixes.get(family.type, [""])
    }
    own = [value for value in vars(metrics).values() if isinstance(value, Counter | Gauge | Histogram)]
    assert len(own) >= 10
    assert {metric._name for metric in own} <= {name.removesuffix("_total").removesuffix("_bucket") for name in names}
    return names


def _rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _used(expr: str) -> set[str]:
    return set(SERIES.findall(expr))


def test_the_rules_ask_only_for_exported_series(exported: set[str]) -> None:
    rules = [
        rule for group in yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"] for rule in group["rules"]
    ]
    for rule in rules:
        assert _used(rule["expr"]) <= exported, (rule["alert"], _used(rule["expr"]) - exported)
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert rule["annotations"]["summary"]


def test_the_dashboard_is_well_formed_and_asks_only_for_exported_series(exported: set[str]) -> None:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"]
    assert dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    panels = dashboard["panels"]
    assert len(panels) >= 12
    assert len({panel["id"] for panel in panels}) == len(panels)
    provisioned = yaml.safe_load(
        (MONITORING / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    uid = provisioned["datasources"][0]["uid"]
    cells: set[tuple[int, int]] = set()
    asked: set[str] = set()
    for panel in panels:
        assert panel["type"] in {"timeseries", "stat", "gauge", "bargauge", "table"}, panel["title"]
        assert panel["title"]
        assert panel["datasource"]["uid"] == uid
        grid = panel["gridPos"]
        assert grid["x"] >= 0, panel["title"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        assert grid["h"] > 0, panel["title"]
        covered = {
            (x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not covered & cells, f"{panel['title']} overlaps another panel"
        cells |= covered
        targets = panel["targets"]
        assert targets, panel["title"]
        assert len({t["refId"] for t in targets}) == len(targets), panel["title"]
        for target in targets:
            assert target["datasource"]["uid"] == uid
            used = _used(target["expr"])
            assert used, target["expr"]
            assert used <= exported, (panel["title"], used - exported)
            asked |= used
    # Every business series the alerts watch is on the dashboard too.
    watched = {name for rule in _rules() for name in _used(rule["expr"])}
    assert watched - {"twitter_source_up"} <= asked, watched - asked
