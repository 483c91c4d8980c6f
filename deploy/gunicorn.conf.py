"""gunicorn settings for jianfu: `gunicorn -c deploy/gunicorn.conf.py` (make serve-prod, jianfu.service).

Each value can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, GUNICORN_TIMEOUT …),
e.g. in /etc/jianfu/jianfu.env.
"""

import ipaddress
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "jianfu.wsgi:application"

# Loopback only: the reverse proxy on this machine is the only client. To put several app servers
# behind one proxy, bind to a private address and list the proxy in GUNICORN_FORWARDED_ALLOW_IPS.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, two per core plus one (gunicorn's rule of thumb): pages wait on the database, not
# on the CPU. Each worker holds one database connection (CONN_MAX_AGE), so workers × app servers must
# stay below PostgreSQL's max_connections.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = _int("GUNICORN_WORKERS", 2 * cores + 1)
worker_class = "sync"

# Imports of 20 MB spreadsheets and the annual report PDF take tens of seconds; nginx waits as long.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Recycle workers now and then, so a slow leak in any library never grows without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Load the app once in the master: a broken release fails at start instead of in every worker, and
# workers share the loaded code's memory. Django opens database connections lazily, after the fork.
preload_app = True

# Heartbeat files on tmpfs, so a slow disk never makes the master think a worker hangs.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# Logs to stdout/stderr: journald (or the container runtime) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-real-ip}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'

# The proxies whose X-Forwarded-Proto (gunicorn) and X-Real-IP (below) are believed.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket (`gunicornc`) only when asked for, at a path of this site's own
# (systemd: RuntimeDirectory=jianfu gives /run/jianfu/); two servers must never share one.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_worker_init(worker):
    """Behind the proxy every request arrives from 127.0.0.1. Take the client's address from
    X-Real-IP — which nginx sets, replacing whatever the client sent — but only on requests that
    really come from a trusted proxy. Login throttling (django-axes) and the ballot-code throttle
    key on REMOTE_ADDR; without this one client's failures would lock out everybody."""
    trusted = {a.strip() for a in forwarded_allow_ips.split(",") if a.strip()}
    app = worker.wsgi

    def real_ip(environ, start_response):
        forwarded = environ.get("HTTP_X_REAL_IP", "").strip()
        if forwarded and ("*" in trusted or environ.get("REMOTE_ADDR") in trusted):
            try:
                environ["REMOTE_ADDR"] = str(ipaddress.ip_address(forwarded))
            except ValueError:
                pass
        return app(environ, start_response)

    worker.wsgi = real_ip
