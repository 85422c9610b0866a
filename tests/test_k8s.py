"""The Kubernetes manifests (deploy/k8s): rendered with kustomize (kubectl's), every object
valid against the API schemas of a pinned Kubernetes version (kubernetes-validate, offline,
strict), and the rules they promise: non-root read-only containers with their resources,
probes on the health endpoints, one beat, a disruption budget for every Deployment that
serves or works, autoscalers on CPU and on queue depth, and secrets only referenced."""

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

# Independent of where application data lives: the single-Redis pass only.
pytestmark = pytest.mark.single_redis

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.31"  # the oldest minor version the manifests are checked against
TREES = ["base", "overlays/production"]


@cache
def render(tree: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with its kustomize) is needed to render deploy/k8s"
    done = subprocess.run([kubectl, "kustomize", str(K8S / tree)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def of_kind(tree: str, kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in render(tree) if doc["kind"] == kind}


@pytest.mark.parametrize("tree", TREES)
def test_every_object_is_valid_for_the_pinned_kubernetes_version(tree: str) -> None:
    docs = render(tree)
    assert len(docs) >= 25
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def _pods(tree: str) -> list[tuple[str, dict[str, Any]]]:
    return [(name, d["spec"]["template"]["spec"]) for name, d in of_kind(tree, "Deployment").items()] + [
        (name, d["spec"]["template"]["spec"]) for name, d in of_kind(tree, "Job").items()
    ]


@pytest.mark.parametrize("tree", TREES)
def test_containers_run_as_non_root_read_only_with_resources(tree: str) -> None:
    for name, pod in _pods(tree):
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            where = f"{name}/{container['name']}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            assert set(container["resources"]["requests"]) == {"cpu", "memory"}, where
            assert "memory" in container["resources"]["limits"], where


@pytest.mark.parametrize("tree", TREES)
def test_the_apis_are_probed_on_their_health_endpoints(tree: str) -> None:
    deployments = of_kind(tree, "Deployment")
    for name in ("write-api", "read-api", "streaming"):
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live", name
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready", name
    for name in ("worker", "fanout-worker"):
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["livenessProbe"]["tcpSocket"]["port"] == "metrics", name


@pytest.mark.parametrize("tree", TREES)
def test_one_beat_and_a_budget_for_the_rest(tree: str) -> None:
    deployments = of_kind(tree, "Deployment")
    assert set(deployments) == {"write-api", "read-api", "streaming", "worker", "fanout-worker", "beat", "gateway"}
    beat = deployments["beat"]["spec"]
    assert beat["replicas"] == 1
    assert beat["strategy"]["type"] == "Recreate"
    budgets = {
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for d in of_kind(tree, "PodDisruptionBudget").values()
    }
    assert budgets == set(deployments) - {"beat"}
    queues = {
        name: {
            env["value"]
            for env in d["spec"]["template"]["spec"]["containers"][0].get("env", [])
            if env["name"] == "WORKER_QUEUES"
        }
        for name, d in deployments.items()
    }
    assert queues["worker"] == {"celery"}
    assert queues["fanout-worker"] == {"fanout"}


@pytest.mark.parametrize("tree", TREES)
def test_autoscalers_on_cpu_and_on_queue_depth(tree: str) -> None:
    autoscalers = of_kind(tree, "HorizontalPodAutoscaler")
    [read] = autoscalers["read-api"]["spec"]["metrics"]
    assert read["resource"]["name"] == "cpu"
    for name, queue in (("worker", "celery"), ("fanout-worker", "fanout")):
        [metric] = autoscalers[name]["spec"]["metrics"]
        assert metric["external"]["metric"]["name"] == "twitter_celery_queue_depth"
        assert metric["external"]["metric"]["selector"]["matchLabels"] == {"queue": queue}
    deployments = of_kind(tree, "Deployment")
    for name in autoscalers:
        assert "replicas" not in deployments[name]["spec"], f"{name}: its autoscaler sets the replicas"


@pytest.mark.parametrize("tree", TREES)
def test_secrets_are_referenced_never_inlined(tree: str) -> None:
    assert not of_kind(tree, "Secret")
    secret_names = {"SECRET_KEY", "JWT_SIGNING_KEY", "DATABASE_URL", "REPLICA_DATABASE_URL", "REDIS_URL"}
    for name, pod in _pods(tree):
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            if container["name"] != "gateway":
                assert {"secretRef": {"name": "twitter-secrets"}} in container["envFrom"], name
            assert not {env["name"] for env in container.get("env", [])} & secret_names, name
    config = of_kind(tree, "ConfigMap")
    assert not set(config["twitter-config"]["data"]) & secret_names


def test_the_gateway_uses_the_template_make_run_and_compose_render() -> None:
    original = (ROOT / "docker" / "nginx" / "gateway.conf.template").read_text()
    assert (K8S / "base" / "gateway.conf.template").read_text() == original
    [generated] = [d for name, d in of_kind("base", "ConfigMap").items() if name.startswith("gateway-template")]
    assert generated["data"]["gateway.conf.template"] == original
