"""results.json -> report.md (tables a person reads in a minute) and PNG plots."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def _rounds(run: dict[str, Any]) -> str:
    return ", ".join(str(rps) for rps in run.get("rounds_rps", [run["rps"]]))


def _row(
    scenario: str, figure: str, target: str, ok: bool, baseline: str = "", ratio: float | None = None
) -> dict[str, Any]:
    return {"scenario": scenario, "figure": figure, "baseline": baseline, "ratio": ratio, "target": target, "ok": ok}


def _ms_per_request(run: dict[str, Any], *processes: str) -> float | None:
    if not run.get("requests"):
        return None
    spent = sum(float(run["cpu_seconds"].get(name, 0)) for name in processes)
    return round(spent * 1000 / int(run["requests"]), 3)


def _read_targets(s: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    warm, gateway = s["read_warm_direct"], s["read_warm_gateway"]
    strong, naive = b["pull"], b.get("pull_naive")
    ceiling_ratio = _ratio(warm["rps"], b["ceiling"]["rps"])
    pull_ratio = _ratio(warm["rps"], strong["rps"])
    naive_note = f"; the naive pull of earlier reports: {naive['rps']} req/s" if naive else ""
    return [
        _row(
            "read_warm (read-API)",
            f"{warm['rps']} req/s",
            ">= 0.6x",
            (ceiling_ratio or 0) >= 0.6,
            f"ceiling {b['ceiling']['rps']} req/s (rounds {_rounds(warm)} / {_rounds(b['ceiling'])})",
            ceiling_ratio,
        ),
        _row("read_warm p99 at 64 connections", f"{warm['p99_ms']} ms", "<= 50 ms", warm["p99_ms"] <= 50),
        _row(
            "read_warm errors",
            str(warm["errors"] + gateway["errors"]),
            "0",
            warm["errors"] + gateway["errors"] == 0,
        ),
        _row(
            "read_warm vs the strongest pull (per-followee LATERAL, raw psycopg)",
            f"{warm['rps']} req/s",
            ">= 5x",
            (pull_ratio or 0) >= 5,
            f"pull {strong['rps']} req/s{naive_note}",
            pull_ratio,
        ),
        *_cluster_rows(s),
        *_mastodon_rows(s),
        _row(
            "CPU per warm read: read-API + Redis (whole system)",
            f"{_ms_per_request(warm, 'read-api', 'redis')} ms"
            f" ({_ms_per_request(warm, 'read-api', 'redis', 'postgres-primary', 'postgres-replica')} ms)",
            "reported (peer: 0.68 ms)",
            True,
        ),
    ]


def _mastodon_rows(s: dict[str, Any]) -> list[dict[str, Any]]:
    """The same warm home read on the Mastodon-compatible API (its JSON, its tokens)."""
    warm, mastodon = s["read_warm_direct"], s.get("read_warm_mastodon")
    if mastodon is None:
        return []
    ratio = _ratio(mastodon["rps"], warm["rps"])
    return [
        _row(
            "read_warm_mastodon (read-API, Mastodon's JSON)",
            f"{mastodon['rps']} req/s, p99 {mastodon['p99_ms']} ms, errors {mastodon['errors']};"
            f" CPU {_ms_per_request(mastodon, 'read-api', 'redis')} ms per read",
            ">= 0.5x read_warm",
            (ratio or 0) >= 0.5 and mastodon["errors"] == 0,
            f"read_warm {warm['rps']} req/s (rounds {_rounds(mastodon)} / {_rounds(warm)})",
            ratio,
        )
    ]


def _cluster_rows(s: dict[str, Any]) -> list[dict[str, Any]]:
    """The same warm read on a Redis Cluster of three masters (its own read-API)."""
    warm, cluster = s["read_warm_direct"], s.get("read_warm_cluster")
    if cluster is None:
        return []
    whole = ("read-api-cluster", "redis-cluster", "postgres-primary", "postgres-replica")
    return [
        _row(
            "read_warm_cluster (read-API on a 3-master Redis Cluster)",
            f"{cluster['rps']} req/s, p99 {cluster['p99_ms']} ms, errors {cluster['errors']};"
            f" CPU {_ms_per_request(cluster, 'read-api-cluster', 'redis-cluster')} ms per read"
            f" ({_ms_per_request(cluster, *whole)} ms whole system)",
            "reported (ratio to the single Redis)",
            cluster["errors"] == 0,
            f"single Redis {warm['rps']} req/s (rounds {_rounds(cluster)} / {_rounds(warm)})",
            _ratio(cluster["rps"], warm["rps"]),
        )
    ]


def _cold_targets(s: dict[str, Any]) -> list[dict[str, Any]]:
    cold = s["read_cold"]
    rows = [
        _row(
            f"read_cold p99 (following {cold['following']}, one request at a time)",
            f"{cold['p99_ms']} ms",
            "<= 50 ms",
            cold["p99_ms"] <= 50,
        )
    ]
    computed = s.get("suggestions_compute")
    if computed:
        rows.append(
            _row(
                f"who-to-follow computed by the worker, p50 (following {computed['following']})",
                f"{computed['p50_ms']} ms (max {computed['max_ms']} ms)",
                "<= 250 ms",
                computed["p50_ms"] <= 250,
                f"{computed['second_hop_rows']} follows two hops away",
            )
        )
    return rows


def _write_targets(s: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    write, ceiling = s["write"], b["write_ceiling"]
    ratio = _ratio(write["rps"], ceiling["rps"])
    rows = [
        _row(
            "write: tweets accepted (write-API)",
            f"{write['rps']} req/s, p50 {write['p50_ms']:.0f} ms, p99 {write['p99_ms']:.0f} ms",
            ">= 0.5x",
            (ratio or 0) >= 0.5,
            f"write ceiling {ceiling['rps']} req/s (rounds {_rounds(write)} / {_rounds(ceiling)})",
            ratio,
        ),
        _row("write errors", str(write["errors"]), "0", write["errors"] == 0),
    ]
    inline = s.get("write_relay_inline")
    if inline:
        rows.append(
            _row(
                "write with the request relaying its own events (OUTBOX_RELAY=inline), one round",
                f"{inline['rps']} req/s, write-API {_ms_per_request(inline, 'write-api', 'write-api-inline')} ms"
                " CPU per tweet",
                "reported",
                True,
                f"relay in the worker (the default): {write['rps']} req/s,"
                f" write-API {_ms_per_request(write, 'write-api')} ms per tweet",
            )
        )
    delivered = s.get("write_delivered")
    if delivered:
        per_tweet = delivered["cpu_ms_per_tweet"]
        api = per_tweet.get("write-api", 0)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(per_tweet.items(), key=lambda kv: -kv[1]))
        rows += [
            _row("write-API CPU per tweet", f"{api} ms", "<= 3 ms", api <= 3),
            _row(
                f"CPU per tweet until delivered to ~{delivered['mean_followers']:.0f} followers, all processes",
                f"{delivered['cpu_ms_per_tweet_total']} ms",
                "<= 10 ms",
                delivered["cpu_ms_per_tweet_total"] <= 10,
                shown,
            ),
            _row(
                "tweets delivered to every follower per second, end to end",
                f"{delivered['delivered_per_s']} /s",
                "reported",
                True,
                f"{delivered['tweets']} tweets accepted at {delivered['accepted_per_s']} req/s, all delivered"
                f" {delivered['seconds_until_delivered']} s after the first; worker"
                f" {delivered['worker_cpu_ms_per_delivery']} ms per follower reached",
            ),
        ]
    mechanism = s.get("delivery_mechanism")
    if mechanism:
        rows.append(_delivery_row(mechanism))
    return rows


def _delivery_row(m: dict[str, Any]) -> dict[str, Any]:
    def cost(figures: dict[str, Any] | None) -> str:
        if not figures or "wall_ms" not in figures:
            return f"unavailable ({(figures or {}).get('unavailable', 'no rows')})"
        return f"{figures['wall_ms']} ms wall / {figures['cpu_ms']} ms CPU"

    return _row(
        "delivery, per event: relay publish to Redis + consumer confirmation (chosen)",
        f"{cost(m['redis_publish'])} + {cost(m['consumer_confirmation'])}",
        "reported",
        True,
        f"RabbitMQ durable, persistent, publisher confirms: {cost(m['rabbitmq_confirmed_publish'])} per publish"
        f" ({m['messages']} messages; none of it in the request)",
    )


def _fanout_targets(s: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name in ("fanout", "fanout_100k"):
        fan = s.get(name)
        if not fan:
            continue
        ratio = _ratio(fan["entries_per_s"], fan["raw_entries_per_s"])
        rows.append(
            _row(
                f"{name}: {fan['active_followers']} active followers",
                f"{fan['entries_per_s']} entries/s",
                ">= 0.7x",
                (ratio or 0) >= 0.7,
                f"raw pipelined LPUSH+LTRIM {fan['raw_entries_per_s']} entries/s",
                ratio,
            )
        )
    fan = s.get("fanout_100k")
    if fan:
        complete = fan["delivered"] == fan["active_followers"]
        rows.append(
            _row(
                f"fanout_100k: delivered to all {fan['active_followers']} (measured)",
                f"{fan['seconds']} s" + ("" if complete else f" ({fan['delivered']} reached)"),
                "< 1 s",
                complete and fan["seconds"] < 1,
            )
        )
    return rows


def _mixed_targets(s: dict[str, Any]) -> list[dict[str, Any]]:
    mixed, gateway = s["mixed"], s.get("read_warm_gateway")
    probes = mixed.get("probes_posted", len(mixed.get("visible_samples_ms", [])))
    late = mixed.get("probes_not_visible_in_10s", 0)
    p99 = mixed.get("visible_p99_ms")
    rows = [
        _row(
            "mixed: tweet-to-visible p99",
            f"{p99} ms" if p99 is not None else "not visible within 10 s",
            "< 1000 ms over >= 50 probes",
            p99 is not None and p99 < 1000 and probes >= 50,
            f"p50 {mixed.get('visible_p50_ms')} ms, {probes} probes on a fixed schedule, {late} not visible in 10 s,"
            f" {mixed.get('probes_failed', 0)} refused",
        )
    ]
    if gateway:
        ratio = _ratio(mixed["read_rps"], gateway["rps"])
        rows.append(
            _row(
                "mixed: reads vs read_warm (gateway)",
                f"{mixed['read_rps']} reads/s",
                ">= 0.5x",
                (ratio or 0) >= 0.5,
                f"read_warm {gateway['rps']} req/s",
                ratio,
            )
        )
    return rows


def _streams_targets(streams: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _row(
            "idle streams held by one streaming process",
            f"{streams['held']} of {streams['requested']}",
            ">= 5000",
            streams["held"] >= 5000,
            f"{streams['bytes_per_stream']} bytes of memory each; refused {streams['refused']}",
        ),
        _row(
            "a tweet delivered to every held stream",
            f"p99 {streams['delivery_p99_ms']} ms",
            "all, reported",
            streams["delivered"] == streams["held"],
            f"{streams['delivered']} delivered; p50 {streams['delivery_p50_ms']} ms, max {streams['delivery_max_ms']} ms",
        ),
    ]


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target whose scenario ran (`manage.py bench --only` runs some)."""
    s, b = results["scenarios"], results["baselines"]
    rows: list[dict[str, Any]] = []
    if "read_warm_direct" in s:
        rows += _read_targets(s, b)
    if "read_cold" in s:
        rows += _cold_targets(s)
    if "write" in s:
        rows += _write_targets(s, b)
    rows += _fanout_targets(s)
    if "mixed" in s:
        rows += _mixed_targets(s)
    if s.get("streams"):
        rows += _streams_targets(s["streams"])
    check = results.get("check_timelines")
    if check:
        rows.append(
            _row(
                "check_timelines after the scenarios",
                f"{check['differing']} differing",
                "0",
                check["differing"] == 0,
                f"{check['users']} users checked",
            )
        )
    memory = results["redis_memory"]
    rows.append(
        _row(
            "Redis memory per timeline entry",
            f"{memory['bytes_per_entry']} bytes",
            "<= 12 bytes",
            (memory["bytes_per_entry"] or 1e9) <= 12,
            f"{memory['entries']} entries in {memory['sampled_lists']} lists",
        )
    )
    return rows


def _metrics_section(found: dict[str, dict[str, float]]) -> list[str]:
    """The business series each role's /metrics showed after the run (summed over its
    processes; the whole pages are in metrics/)."""
    if not found:
        return []
    lines = ["", "## Business metrics after the run", "", "| role | series | value |", "|---|---|---|"]
    for role, series in found.items():
        for name, value in sorted(series.items()):
            shown = f"{value:.3f}" if value != int(value) else f"{int(value)}"
            lines.append(f"| {role} | `{name}` | {shown} |")
    return lines


def write(results: dict[str, Any], out: Path) -> Path:
    rows = targets(results)
    s = results["scenarios"]
    lines = [
        f"# Benchmark report ({out.name})",
        "",
        f"Graph: {results['options']['users']} users, ~{results['options']['follows']} follows each (power law), "
        f"{results['options']['tweets']} tweets; {results['warm']['users']} home timelines warm. "
        f"wrk: 2 threads, {results['options']['connections']} connections, {results['options']['duration']} s per scenario, "
        f"loopback; servers: granian, {results['options']['workers']} workers x {results['options']['threads']} threads. "
        f"read_warm and its ceiling, and write and its ceiling, run in {results['options'].get('rounds', 1)}"
        " alternating rounds; each figure is its median round (all rounds in the baseline column, req/s).",
        "",
        f"**{sum(r['ok'] for r in rows)} of {len(rows)} targets met.**",
        "",
        "| scenario | figure | baseline | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = f"{row['ratio']}x" if row["ratio"] is not None else ""
        lines.append(
            f"| {row['scenario']} | {row['figure']} | {row['baseline']} | {ratio} | {row['target']} | "
            f"{'PASS' if row['ok'] else 'FAIL'} |"
        )
    lines += [
        "",
        "## Scenarios",
        "",
        "CPU is in milliseconds per request, by process (the steadiest figure on a shared machine).",
        "",
        "| scenario | req/s | p50 ms | p90 ms | p99 ms | errors | CPU ms per request |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in [*s.items(), *(("baseline: " + k, v) for k, v in results["baselines"].items())]:
        if "p90_ms" not in result:
            continue
        requests = max(result.get("requests", 0), 1)
        cpu = ", ".join(
            f"{k} {v * 1000 / requests:.2f}"
            for k, v in sorted(result["cpu_seconds"].items(), key=lambda kv: -kv[1])
            if v >= 0.05
        )
        lines.append(
            f"| {name} | {result['rps']} | {result['p50_ms']:.1f} | {result['p90_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['errors']} | {cpu} |"
        )
    lines += _metrics_section(results.get("metrics") or {})
    if results.get("process_rss_bytes"):
        lines += ["", "## Memory after the run (resident, each process with its children)", ""]
        lines += [f"- {name}: {rss / 2**20:.0f} MiB" for name, rss in results["process_rss_bytes"].items()]
    lines += [
        "",
        "## Plots",
        "",
        "![throughput](throughput.png)",
        "![latency](latency.png)",
        "![fan-out](fanout.png)",
        "![tweet to visible](visible.png)",
        "",
    ]
    report = out / "report.md"
    report.write_text("\n".join(lines))
    _plots(results, out)
    return report


def _plots(results: dict[str, Any], out: Path) -> None:
    s, b = results["scenarios"], results["baselines"]
    runs = {
        **{k: v for k, v in s.items() if "p90_ms" in v},
        **{k: v for k, v in b.items() if isinstance(v, dict) and "p90_ms" in v},
    }
    names = list(runs)
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(names, [runs[n]["rps"] for n in names], color="#1d9bf0")
    ax.set_ylabel("requests / s")
    ax.set_title("Throughput by scenario")
    ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    fig.savefig(out / "throughput.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.27
    for offset, key in enumerate(("p50_ms", "p90_ms", "p99_ms")):
        ax.bar(
            [i + (offset - 1) * width for i in range(len(names))], [runs[n][key] for n in names], width, label=key[:3]
        )
    ax.set_xticks(range(len(names)), names, rotation=20)
    ax.set_ylabel("ms")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title("Latency percentiles")
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4))
    for name in ("fanout", "fanout_100k"):
        if name in s:
            fan = s[name]
            progress = fan["progress"]
            ax.plot([p[0] * 1000 for p in progress], [p[1] for p in progress], marker=".", label=name)
    ax.set_xlabel("ms after the 201")
    ax.set_ylabel("follower timelines holding the tweet")
    ax.set_title("Fan-out")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out / "fanout.png", dpi=110)
    plt.close(fig)

    samples = s.get("mixed", {}).get("visible_samples_ms", [])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(samples, bins=30, color="#17bf63")
    ax.set_xlabel("ms from the 201 to visible in every probe follower's home")
    ax.set_ylabel("tweets")
    ax.set_title("Tweet-to-visible latency under mixed load")
    fig.tight_layout()
    fig.savefig(out / "visible.png", dpi=110)
    plt.close(fig)
