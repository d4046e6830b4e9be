# mailops.postfix: one entry point, `make test`, that sets up everything it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV        ?= $(CURDIR)/.venv
PYTHON      ?= python3
BIN         := $(VENV)/bin
COLLECTIONS := $(CURDIR)/.collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/mailops/postfix
SANITY_ROOT := $(CURDIR)/.build/sanity/ansible_collections/mailops/postfix
INTEGRATION_ROOT := $(CURDIR)/.build/integration/ansible_collections/mailops/postfix
PYTEST_ARGS ?=

# Every tool sees the checkout as ansible_collections/mailops/postfix.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
export ANSIBLE_ROLES_PATH := $(CURDIR)/roles
export ANSIBLE_LOCAL_TEMP := $(CURDIR)/.cache/ansible-local
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export ANSIBLE_PYTHON_INTERPRETER := $(BIN)/python
export PYTHONPATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

.PHONY: help setup venv postfix collection lint yamllint ansible-lint unit functional e2e packaging dist sanity integration matrix molecule demo demo-stop test clean \
        bench bench-heavy bench-smoke bench-tools

help:
	@echo "make test         everything CI runs (installs its own venv and Postfix)"
	@echo "make unit         unit tests of module_utils"
	@echo "make functional   modules, role and harness through ansible-playbook, judged by real Postfix (pytest)"
	@echo "make sanity       ansible-test sanity (offline), plus compile on the managed-host Python floor"
	@echo "make dist         the release tarball in .build/dist/ (docs site pages generated from docs/*.md)"
	@echo "make matrix       sanity + integration on every ansible-core minor from requires_ansible's floor to 2.19 (long)"
	@echo "make integration  ansible-test integration --local: tests/integration/targets, one run per target"
	@echo "make packaging    the tarball: built from a copy of the tree, no tooling inside, installed, documented, run"
	@echo "make lint         yamllint + ansible-lint"
	@echo "make bench        speed and scale against lineinfile/copy, Postfix lookup cost (not part of make test)"
	@echo "make bench-heavy  the heavy sizes (100,000 entries vs copy, the rollout over 50 hosts): their own records"
	@echo "make bench-smoke  the same at small sizes, one repetition (checks the benchmarks work)"
	@echo "make e2e          end-to-end: the rollout playbook over several sandboxes, make demo's table"
	@echo "make molecule     molecule scenarios under extensions/molecule (sandbox Postfix instances)"
	@echo "make demo         a sandbox Postfix on 127.0.0.1, the role applied, the SMTP dialog as a table"
	@echo "make demo-stop    stop a demo left running (MAILOPS_DEMO_KEEP=1 make demo)"
	@echo "make clean        remove the venv and build dirs"

$(BIN)/.installed: requirements-dev.txt
	@test -x $(BIN)/python || { echo "setup: creating virtualenv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed

postfix:
	@scripts/ensure-postfix.sh

$(COLLECTION_LINK):
	@mkdir -p $(dir $@)
	@ln -sfn $(CURDIR) $@

collection: $(COLLECTION_LINK)

setup: venv postfix collection

yamllint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/antsibull-changelog lint

ansible-lint: setup
	$(BIN)/ansible-lint --offline

lint: yamllint ansible-lint

unit: venv collection
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

functional: setup
	$(BIN)/python -m pytest tests/functional $(PYTEST_ARGS)

e2e: setup
	$(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

packaging: setup
	$(BIN)/python -m pytest tests/packaging $(PYTEST_ARGS)

# The release tarball: a copy of the tree with the docs site generated in it (.build/dist/).
dist: venv
	@scripts/build-collection.sh "$(CURDIR)/.build/dist" "$(BIN)/python"

# ansible-test wants to run from inside ansible_collections/<ns>/<name> and to
# bootstrap pip from the internet: give it a copy of the tracked tree and a
# stand-in bootstrap that uses ensurepip.
sanity: venv
	@scripts/sanity.sh "$(SANITY_ROOT)" "$(BIN)"

# The same copy-of-the-tree approach; INTEGRATION_TARGETS="postconf" narrows it.
integration: setup
	@scripts/integration.sh "$(INTEGRATION_ROOT)" "$(BIN)"

# Not part of make test (about 25 minutes): one venv per ansible-core minor in .cache/matrix/.
matrix: postfix collection
	@scripts/matrix.sh

# Every scenario under extensions/molecule; each creates and destroys its own
# sandbox instances (no container engine needed).
molecule: setup
	@scripts/molecule.sh "$(BIN)"

demo: setup
	@$(BIN)/python scripts/demo.py

demo-stop: venv
	@$(BIN)/python scripts/demo.py stop

test: setup
	@VENV=$(VENV) scripts/run-tests.sh

# Benchmarks measure; they never judge `make test`. BENCH_ARGS, e.g. "--only lookup".
BENCH_ARGS ?=

bench-tools:
	@scripts/ensure-bench-tools.sh

bench: setup bench-tools
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-heavy: setup bench-tools
	$(BIN)/python -m bench.run --heavy $(BENCH_ARGS)

bench-smoke: setup bench-tools
	$(BIN)/python -m bench.run --smoke $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(COLLECTIONS) .build .cache .pytest_cache
