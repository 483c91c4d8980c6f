# jianfu — `make run` serves the demo district, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev system browser migrate demo lint messages app-messages vendor lock bench bench-registry clean

# `python3 -m venv` needs Debian's python3-venv (ensurepip), missing on a fresh Debian 12: installed
# with apt when running as root (apt_install, below), else asked for.
$(BIN)/python:
	$(if $(shell $(PYTHON) -c 'import ensurepip' >/dev/null 2>&1 || echo missing),$(call apt_install,python3-venv))
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	mkdir -p var
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo

run: system demo
	@echo "jianfu: http://$(HOST):$(PORT)/"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production (deploy/README.md): gunicorn (deploy/gunicorn.conf.py, loopback :8000 behind nginx) with
# jianfu/settings_production.py against the PostgreSQL database in DATABASE_URL (or DATABASE_URL_FILE);
# SECRET_KEY, ALLOWED_HOSTS and JIANFU_PII_KEYS come from the environment too.
.PHONY: serve-prod
serve-prod: system install
	@url="$${DATABASE_URL:-$$(cat "$${DATABASE_URL_FILE:-/dev/null}" 2>/dev/null)}"; \
	case "$$url" in postgres://*|postgresql://*|pgsql://*) ;; \
	  *) echo "make serve-prod: DATABASE_URL must name a PostgreSQL database, e.g. postgres://jianfu:secret@127.0.0.1:5432/jianfu" >&2; \
	     echo "make serve-prod: DATABASE_URL 须为 PostgreSQL 数据库地址（生产环境不使用 SQLite）" >&2; exit 1;; \
	esac
	DJANGO_SETTINGS_MODULE=jianfu.settings_production $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_SETTINGS_MODULE=jianfu.settings_production $(BIN)/python manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=jianfu.settings_production $(BIN)/python manage.py createcachetable
	DJANGO_SETTINGS_MODULE=jianfu.settings_production exec $(BIN)/gunicorn -c deploy/gunicorn.conf.py

# Debian packages: Pango and CJK fonts for PDFs (WeasyPrint); Chromium for the browser tests
# (never a downloaded browser). Installed with apt when missing and running as root.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
BROWSER_PACKAGES := chromium chromium-driver
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "请以 root 身份安装这些 Debian 软件包：$$missing" >&2; \
	    echo "Please install these Debian packages as root:$$missing" >&2; exit 1; \
	  fi; \
	fi
endef

system:
	$(call apt_install,$(SYSTEM_PACKAGES))

browser:
	$(call apt_install,$(SYSTEM_PACKAGES) $(BROWSER_PACKAGES))

# One test process per core (pytest-xdist); a test module stays on one process, so the demo district
# it loads is loaded once. `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto
test: install-dev browser
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check jianfu tests
	$(BIN)/ruff format --check jianfu tests
	$(BIN)/lint-imports

# Translations: extract with Django (needs GNU gettext), compile with polib (no gettext needed).
messages: install-dev
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "node_modules/*"
	$(BIN)/python -m jianfu.core.compile_messages

# Apps with their own locale folder (ledger, certificates, evaluation …): `make app-messages APP=ledger`.
app-messages: install-dev
	cd jianfu/$(APP) && PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=jianfu.settings DJANGO_DEBUG=1 \
	  $(CURDIR)/$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --no-location
	$(BIN)/python -m jianfu.core.compile_messages

# Front-end assets from the npm registry, copied into the app's static files and committed.
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js jianfu/static/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css jianfu/static/vendor/
	cp node_modules/echarts/dist/echarts.min.js jianfu/static/vendor/
	cp node_modules/tom-select/dist/js/tom-select.complete.min.js* node_modules/tom-select/dist/css/tom-select.min.css* jianfu/static/vendor/
	cp node_modules/tom-select/LICENSE jianfu/static/vendor/tom-select.LICENSE
	tail -n +1 node_modules/echarts/LICENSE node_modules/echarts/NOTICE node_modules/zrender/LICENSE > jianfu/static/vendor/echarts.LICENSE

# Re-pin every dependency after changing requirements*.in.
lock: $(BIN)/python
	rm -rf $(VENV)/lock && $(PYTHON) -m venv $(VENV)/lock
	$(VENV)/lock/bin/pip install -q -r requirements.in
	$(VENV)/lock/bin/pip freeze --exclude pip > requirements.txt
	$(VENV)/lock/bin/pip install -q -r requirements-dev.in
	$(VENV)/lock/bin/pip freeze --exclude pip | grep -vxFf requirements.txt > requirements-dev.txt || true
	sed -i '1i -r requirements.txt' requirements-dev.txt
	rm -rf $(VENV)/lock

# Benchmarks print ratios against a bound measured in the same run (bench/README.md). `make bench`
# installs PostgreSQL and wrk (Debian), starts its own server under var/bench/pg, loads the city-scale
# data once and keeps it there; BENCH_ONLY=pages,overlap runs some; BENCH_FRESH=1 regenerates.
bench: install-dev
	$(call apt_install,$(SYSTEM_PACKAGES) postgresql wrk)
	$(BIN)/python bench/run.py

bench-registry: install-dev
	$(BIN)/python bench/registry_demo.py

clean:
	rm -rf $(VENV) var/jianfu.sqlite3 var/static
