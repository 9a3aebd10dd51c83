# Two commands set up a fresh Debian machine with Python 3.11: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

# chromium and node run the browser-upload and CDN-function tests; npm installs s3rver for the first.
APT_TEST := redis-server nginx chromium nodejs
APT_BENCH := redis-server wrk mate-backgrounds libvips42

# apt-get only the packages that are missing (we run as root on the target machines).
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi
endef

.PHONY: run test lint bench venv clean checkov
venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

run: $(STAMP)
	$(BIN)/thumbrouter dev

# Lint and types first (seconds): a failure stops make before the checkov venv and the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint $(CHECKOV_STAMP)
	$(call apt_ensure,$(APT_TEST))
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm)
	$(BIN)/python -m pytest

# checkov pins conflict with ours, so it gets its own virtualenv (tests/terraform runs it from there).
$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q --upgrade pip
	$(CHECKOV_VENV)/bin/pip install -q -r requirements-checkov.txt
	touch $@

checkov: $(CHECKOV_STAMP)
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov -d terraform --config-file terraform/.checkov.yaml

bench: $(STAMP)
	$(call apt_ensure,$(APT_BENCH))
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) dist .pytest_cache .mypy_cache .ruff_cache
