"""How long the demo district's base registry (≈203 000 people, their houses, units and history)
takes to generate on an empty database, against the issue's bound of two minutes on SQLite, and
against a raw executemany of rows of the same width (the database's own floor).

Run: make bench-registry   (creates a throwaway SQLite database under var/bench/)
"""

import os
import sqlite3
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
os.environ["DJANGO_DEBUG"] = "1"
os.environ["JIANFU_VAR_DIR"] = str(BASE / "var" / "bench")
(BASE / "var" / "bench").mkdir(parents=True, exist_ok=True)
(BASE / "var" / "bench" / "jianfu.sqlite3").unlink(missing_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from jianfu.demo import registry as demo  # noqa: E402
from jianfu.orgs.models import Org  # noqa: E402
from jianfu.registry.models import Person  # noqa: E402

BOUND_SECONDS = 120

call_command("migrate", verbosity=0)
call_command("load_demo", registry="none", stdout=open(os.devnull, "w"))
district = Org.objects.get(code="330282")
start = time.perf_counter()
people = demo.load(district, "full")
elapsed = time.perf_counter() - start

# Floor: the same number of rows of the same width, inserted by sqlite3 itself.
width = len(Person._meta.concrete_fields)
rows = [tuple(f"v{i}-{j}" for j in range(width)) for i in range(people)]
conn = sqlite3.connect(":memory:")
conn.execute(f"CREATE TABLE t ({', '.join(f'c{j} TEXT' for j in range(width))})")
floor_start = time.perf_counter()
conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * width)})", rows)
conn.commit()
floor = time.perf_counter() - floor_start

print(f"registry demo: {people} people in {elapsed:.1f} s")
print(f"  ratio to the {BOUND_SECONDS} s bound: {elapsed / BOUND_SECONDS:.2f} (≤ 1 meets it)")
print(
    f"  ratio to a raw sqlite3 executemany of {people} rows × {width} columns ({floor:.2f} s): {elapsed / floor:.1f}×"
)
