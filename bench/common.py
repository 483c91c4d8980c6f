"""Shared by the benchmarks: Django on the benchmark database, timing, peak memory, results."""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
RESULTS = BASE / "bench" / "results"
VAR = BASE / "var" / "bench"


def setup_django() -> None:
    sys.path.insert(0, str(BASE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("JIANFU_VAR_DIR", str(VAR))
    import django

    django.setup()


def scale_summary() -> dict:
    return json.loads(Path(os.environ["BENCH_SCALE_SUMMARY"]).read_text())


def timings(fn, *, repeat: int, warmup: int = 2) -> list[float]:
    """Seconds per call, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(p) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def peak_rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def figure(name: str, value: float, unit: str, bound: float, bound_label: str, target: float | None, better: str):
    """One measured figure with its ratio to a bound measured in the same run.
    better: "lower" (target is the highest ratio allowed) or "higher" (the lowest)."""
    ratio = round(value / bound, 3) if bound else None
    meets = None
    if target is not None and ratio is not None:
        meets = ratio <= target if better == "lower" else ratio >= target
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "bound": round(bound, 3),
        "bound_label": bound_label,
        "ratio": ratio,
        "target": target,
        "better": better,
        "meets": meets,
    }


def write(name: str, figures: list[dict], **extra) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0]
    result = {
        "benchmark": name,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": git_commit(),
        "machine": machine() | {"database": server},
        "figures": figures,
        **extra,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    for f in figures:
        verdict = "" if f["meets"] is None else ("  ✓ meets" if f["meets"] else "  ✗ misses")
        target = "" if f["target"] is None else f" (target {'≤' if f['better'] == 'lower' else '≥'} {f['target']})"
        print(
            f"  {f['name']}: {f['value']} {f['unit']} — {f['ratio']}× {f['bound_label']} "
            f"({f['bound']} {f['unit']}){target}{verdict}"
        )
    return result
