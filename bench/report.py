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


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    s, b = results["scenarios"], results["baselines"]
    warm = s["read_warm_direct"]
    rows = [
        {
            "scenario": "read_warm (read-API)",
            "figure": f"{warm['rps']} req/s",
            "baseline": f"ceiling {b['ceiling']['rps']} req/s (rounds {_rounds(warm)} / {_rounds(b['ceiling'])})",
            "ratio": _ratio(warm["rps"], b["ceiling"]["rps"]),
            "target": ">= 0.6x",
            "ok": (_ratio(warm["rps"], b["ceiling"]["rps"]) or 0) >= 0.6,
        },
        {
            "scenario": "read_warm p99 at 64 connections",
            "figure": f"{warm['p99_ms']} ms",
            "baseline": "",
            "ratio": None,
            "target": "<= 50 ms",
            "ok": warm["p99_ms"] <= 50,
        },
        {
            "scenario": "read_warm errors",
            "figure": str(warm["errors"] + s["read_warm_gateway"]["errors"]),
            "baseline": "",
            "ratio": None,
            "target": "0",
            "ok": warm["errors"] + s["read_warm_gateway"]["errors"] == 0,
        },
        {
            "scenario": "read_warm vs pull model",
            "figure": f"{warm['rps']} req/s",
            "baseline": f"pull {b['pull']['rps']} req/s",
            "ratio": _ratio(warm["rps"], b["pull"]["rps"]),
            "target": ">= 5x",
            "ok": (_ratio(warm["rps"], b["pull"]["rps"]) or 0) >= 5,
        },
        {
            "scenario": f"read_cold p99 (following {s['read_cold']['following']}, one request at a time)",
            "figure": f"{s['read_cold']['p99_ms']} ms",
            "baseline": "",
            "ratio": None,
            "target": "<= 50 ms",
            "ok": s["read_cold"]["p99_ms"] <= 50,
        },
    ]
    fan, raw = s["fanout"], b["redis_raw_insert"]
    rows.append(
        {
            "scenario": f"fanout ({fan['active_followers']} active followers)",
            "figure": f"{fan['entries_per_s']} entries/s",
            "baseline": f"raw pipelined {raw['entries_per_s']} entries/s",
            "ratio": _ratio(fan["entries_per_s"], raw["entries_per_s"]),
            "target": ">= 0.7x",
            "ok": (_ratio(fan["entries_per_s"], raw["entries_per_s"]) or 0) >= 0.7,
        }
    )
    projected = round(100_000 / fan["entries_per_s"], 2) if fan["entries_per_s"] else None
    rows.append(
        {
            "scenario": "fanout: 100,000 followers (projected at the measured rate)",
            "figure": f"{projected} s",
            "baseline": f"measured {fan['seconds']} s for {fan['active_followers']}",
            "ratio": None,
            "target": "< 1 s",
            "ok": projected is not None and projected < 1,
        }
    )
    mixed = s["mixed"]
    rows.append(
        {
            "scenario": "mixed: tweet-to-visible p99",
            "figure": f"{mixed.get('visible_p99_ms')} ms",
            "baseline": f"p50 {mixed.get('visible_p50_ms')} ms, {len(mixed.get('visible_samples_ms', []))} probes",
            "ratio": None,
            "target": "< 1000 ms",
            "ok": (mixed.get("visible_p99_ms") or 1e9) < 1000,
        }
    )
    gateway = s["read_warm_gateway"]
    rows.append(
        {
            "scenario": "mixed: reads vs read_warm (gateway)",
            "figure": f"{mixed['read_rps']} reads/s",
            "baseline": f"read_warm {gateway['rps']} req/s",
            "ratio": _ratio(mixed["read_rps"], gateway["rps"]),
            "target": ">= 0.5x",
            "ok": (_ratio(mixed["read_rps"], gateway["rps"]) or 0) >= 0.5,
        }
    )
    streams = s.get("streams")
    if streams:
        rows.append(
            {
                "scenario": "idle streams held by one streaming process",
                "figure": f"{streams['held']} of {streams['requested']}",
                "baseline": f"{streams['bytes_per_stream']} bytes of memory each; refused {streams['refused']}",
                "ratio": None,
                "target": ">= 5000",
                "ok": streams["held"] >= 5000,
            }
        )
        rows.append(
            {
                "scenario": "a tweet delivered to every held stream",
                "figure": f"p99 {streams['delivery_p99_ms']} ms",
                "baseline": (
                    f"{streams['delivered']} delivered; p50 {streams['delivery_p50_ms']} ms,"
                    f" max {streams['delivery_max_ms']} ms"
                ),
                "ratio": None,
                "target": "all, reported",
                "ok": streams["delivered"] == streams["held"],
            }
        )
    memory = results["redis_memory"]
    rows.append(
        {
            "scenario": "Redis memory per timeline entry",
            "figure": f"{memory['bytes_per_entry']} bytes",
            "baseline": f"{memory['entries']} entries in {memory['sampled_lists']} lists",
            "ratio": None,
            "target": "<= 12 bytes",
            "ok": (memory["bytes_per_entry"] or 1e9) <= 12,
        }
    )
    return rows


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
        f"read_warm and the ceiling run in {results['options'].get('rounds', 1)} alternating rounds; each figure is "
        "its median round (all rounds in the baseline column, req/s).",
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
        "| scenario | req/s | p50 ms | p90 ms | p99 ms | errors | CPU seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, result in [*s.items(), *(("baseline: " + k, v) for k, v in results["baselines"].items())]:
        if "p90_ms" not in result:
            continue
        cpu = ", ".join(
            f"{k} {v}" for k, v in sorted(result["cpu_seconds"].items(), key=lambda kv: -kv[1]) if v >= 0.05
        )
        lines.append(
            f"| {name} | {result['rps']} | {result['p50_ms']:.1f} | {result['p90_ms']:.1f} | "
            f"{result['p99_ms']:.1f} | {result['errors']} | {cpu} |"
        )
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
    runs = {**{k: v for k, v in s.items() if "p90_ms" in v}, "ceiling": b["ceiling"], "pull": b["pull"]}
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

    fan = s["fanout"]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([p[0] * 1000 for p in fan["progress"]], [p[1] for p in fan["progress"]], marker=".")
    ax.set_xlabel("ms after the 201")
    ax.set_ylabel("follower timelines holding the tweet")
    ax.set_title(f"Fan-out to {fan['active_followers']} active followers")
    fig.tight_layout()
    fig.savefig(out / "fanout.png", dpi=110)
    plt.close(fig)

    samples = s["mixed"].get("visible_samples_ms", [])
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(samples, bins=30, color="#17bf63")
    ax.set_xlabel("ms from the 201 to visible in every probe follower's home")
    ax.set_ylabel("tweets")
    ax.set_title("Tweet-to-visible latency under mixed load")
    fig.tight_layout()
    fig.savefig(out / "visible.png", dpi=110)
    plt.close(fig)
