"""make bench: start a PostgreSQL server of our own, load the city-scale data once, run each
benchmark in its own process (so each one's peak memory is its own) and print every figure with
its ratio to the bound measured in the same run. Results: bench/results/*.json.

Environment: BENCH_SCALE (city), BENCH_ONLY (comma-separated names), BENCH_PGDATA
(var/bench/pg; kept between runs so the scale data is generated once), BENCH_FRESH=1 to regenerate."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VAR = BASE / "var" / "bench"
PGDATA = Path(os.environ.get("BENCH_PGDATA", VAR / "pg"))
SCALE = os.environ.get("BENCH_SCALE", "city")
BENCHMARKS = ["aggregations", "ledger_import", "overlap", "pages"]
PYTHON = sys.executable


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise SystemExit("PostgreSQL is not installed (Debian package `postgresql`); `make bench` installs it as root.")
    return found[-1]


def as_postgres(command: list[str], **kwargs):
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgres() -> int:
    bin_dir = pg_bin()
    if not (PGDATA / "PG_VERSION").exists():
        PGDATA.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(PGDATA, "postgres")
        as_postgres(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(PGDATA),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            stdout=subprocess.DEVNULL,
        )
    port = free_port()
    as_postgres(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(PGDATA),
            "-l",
            str(PGDATA / "server.log"),
            "-w",
            "-o",
            f"-p {port} -k {PGDATA} -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c max_connections=100",
            "start",
        ],
        stdout=subprocess.DEVNULL,
    )
    return port


def stop_postgres() -> None:
    as_postgres([str(pg_bin() / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "stop"], stdout=subprocess.DEVNULL)


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE, env=env, check=True)


def main() -> int:
    VAR.mkdir(parents=True, exist_ok=True)
    port = start_postgres()
    try:
        url = f"postgres://postgres@127.0.0.1:{port}/jianfu_bench"
        summary = VAR / f"scale-{SCALE}.json"
        env = dict(
            os.environ,
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            JIANFU_VAR_DIR=str(VAR),
            BENCH_SCALE_SUMMARY=str(summary),
            PYTHONPATH=str(BASE),
        )
        exists = subprocess.run(
            [
                str(pg_bin() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "-Atc",
                "SELECT 1 FROM pg_database WHERE datname = 'jianfu_bench'",
                "postgres",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not exists:
            subprocess.run(
                [str(pg_bin() / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "jianfu_bench"],
                check=True,
            )
        print("=== migrate", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        if os.environ.get("BENCH_FRESH") or not summary.exists():
            print(f"=== generate_scale --scale {SCALE} (once; kept in {PGDATA})", flush=True)
            start = time.perf_counter()
            manage(env, "generate_scale", "--scale", SCALE, "--fresh", "--summary", str(summary))
            print(f"    {time.perf_counter() - start:.0f} s", flush=True)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        only = [b for b in os.environ.get("BENCH_ONLY", "").split(",") if b] or BENCHMARKS
        failed = []
        for name in only:
            print(f"=== {name}", flush=True)
            if subprocess.run([PYTHON, str(BASE / "bench" / f"{name}.py")], cwd=BASE, env=env).returncode:
                failed.append(name)
        print_summary(only)
        if failed:
            print(f"failed: {', '.join(failed)}", file=sys.stderr)
            return 1
        return 0
    finally:
        stop_postgres()


def print_summary(names: list[str]) -> None:
    print("\n=== summary (value, ratio to the bound measured in the same run, target)")
    machine = None
    for name in names:
        path = BASE / "bench" / "results" / f"{name}.json"
        if not path.exists():
            continue
        result = json.loads(path.read_text())
        machine = result["machine"]
        for f in result["figures"]:
            if f["target"] is None:
                continue
            sign = "≤" if f["better"] == "lower" else "≥"
            mark = "✓" if f["meets"] else "✗"
            print(
                f"  {mark} {name}: {f['name']}: {f['value']} {f['unit']}, {f['ratio']}× (target {sign} {f['target']}×)"
            )
    if machine:
        print(
            f"  machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['database']}"
        )


if __name__ == "__main__":
    sys.exit(main())
