"""Benchmark server settings: the production shape (DEBUG off, persistent connections, collected
static files) plus one bare view, on the PostgreSQL server bench/run.py starts."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("JIANFU_INSECURE_HTTP", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "600")

from jianfu.settings import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
