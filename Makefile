# Parvis: `make demo` serves the demo article at http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium
PG_URL := postgres://postgres@127.0.0.1:5432/test
export UV_PROJECT_ENVIRONMENT := $(VENV)

WIDGET := widget
WIDGET_BUILT := parvis/embed/static/parvis-widget/meta.json
WIDGET_SOURCES := $(shell find $(WIDGET)/src -type f 2>/dev/null) $(WIDGET)/build.mjs

.PHONY: all setup demo serve test test-sqlite test-postgres test-widget lint chromium messages widget bench bench-load bench-scale bench-tools clean

all: setup

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# --compile-bytecode: every `parvis` process (a test's server and its workers, a CLI command) would otherwise
# compile Django, scikit-learn and SciPy again, seconds each, wherever PYTHONDONTWRITEBYTECODE is set.
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --quiet --extra encoder --compile-bytecode
	touch $@

setup: $(VENV)/.synced messages widget

# The widget: npm ci from the lock, then esbuild (fails when a size budget is exceeded).
$(WIDGET)/node_modules/.installed: $(WIDGET)/package.json $(WIDGET)/package-lock.json
	cd $(WIDGET) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WIDGET_BUILT): $(WIDGET)/node_modules/.installed $(WIDGET_SOURCES)
	cd $(WIDGET) && node build.mjs

widget: $(WIDGET_BUILT)

test-widget: widget
	cd $(WIDGET) && node_modules/.bin/tsc --noEmit -p . && node test/run.mjs

# Translations are compiled from the committed .po files (gettext's msgfmt, installed when missing).
messages: $(VENV)/.synced
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)
	@cd parvis && ../$(BIN)/django-admin compilemessages --ignore=.venv -v 0

# The demo's emails go to the capture SMTP server `parvis serve` starts on 127.0.0.1:8025 (dev mode with a capture
# folder): they are files in var/mailbox/, shown at http://127.0.0.1:8000/notifications/mailbox/. Thread emails
# gather 20 s of comments instead of 10 minutes; daily digests are written from midnight UTC on.
DEMO_MAIL := PARVIS_EMAIL_CAPTURE_DIR=$(CURDIR)/var/mailbox PARVIS_EMAIL_HOST=127.0.0.1 PARVIS_EMAIL_PORT=8025 \
	PARVIS_EMAIL_BATCH_SECONDS=20 PARVIS_EMAIL_DIGEST_HOUR=0

demo: setup
	PARVIS_MODE=dev $(BIN)/parvis migrate
	PARVIS_MODE=dev $(BIN)/parvis demo
	$(DEMO_MAIL) PARVIS_MODE=dev $(BIN)/parvis serve --host 127.0.0.1 --port 8000

# Browser tests drive Debian's Chromium; install it when this machine lacks it (CI runs as root).
chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test: setup chromium lint test-widget
	$(MAKE) test-sqlite
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		$(MAKE) test-postgres; \
	else echo "PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL run skipped"; fi

# One pytest worker per core; a module's tests stay on one worker, so each browser module starts one server.
PYTEST_PARALLEL ?= -n $(shell nproc) --dist loadfile

test-sqlite: setup
	$(BIN)/pytest -q $(PYTEST_PARALLEL) --durations=20

# The browser tests start their own server on SQLite whatever the suite's database: they run once, above.
test-postgres: setup
	PARVIS_TEST_POSTGRES=1 PARVIS_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -q $(PYTEST_PARALLEL) -m "not browser"

lint: setup
	$(BIN)/ruff check parvis tests bench conftest.py
	$(BIN)/ruff format --check parvis tests bench conftest.py
	$(BIN)/mypy

# Measurements, never run by `make test` (timings are not test assertions). Results: bench/RESULTS.md.
# BENCH_ARGS are passed to the server load comparison, e.g. `make bench BENCH_ARGS="--duration 5"`.
BENCH_ARGS ?=
bench: setup chromium bench-tools
	$(BIN)/python bench/widget.py --comments 200 --runs 5
	$(BIN)/python bench/moderation_latency.py --runs 20
	$(BIN)/python bench/moderation_functional.py
	$(BIN)/python bench/moderation_learning.py
	$(MAKE) bench-load

# Parvis against Isso (installed from PyPI into bench/.work/isso-venv) and a static nginx, under wrk:
# about 15 minutes, writes bench/results.json. PostgreSQL is used when it answers on 127.0.0.1:5432.
bench-load: setup bench-tools
	$(BIN)/python bench/server_load.py $(BENCH_ARGS)

# The thread read and the counts at 10,000 and at 1,000,000 generated comments on PostgreSQL (127.0.0.1:5432,
# a database parvis_scale of its own, dropped afterwards): about 15 minutes, not part of `make bench`.
# SCALE_ARGS are passed on, e.g. `make bench-scale SCALE_ARGS="--comments 200000 --threads 10000 --keep"`.
SCALE_ARGS ?=
bench-scale: setup bench-tools
	$(BIN)/python bench/scale_load.py $(SCALE_ARGS)

# Debian's wrk (the load generator) and nginx (the static baseline; its service is not started here,
# the harness runs it on a loopback port with its own configuration). CI and developers run as root.
bench-tools:
	@command -v wrk >/dev/null && test -x /usr/sbin/nginx || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null)

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache $(WIDGET)/node_modules $(WIDGET)/.test-build parvis/embed/static/parvis-widget
