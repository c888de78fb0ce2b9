# The two set-up commands: `make run` and `make test`. Each creates .venv if
# needed, installs the project into it and applies the migrations first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint deploy-lint topology-test format bench clean mutation

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/sambot db upgrade
	$(BIN)/sambot run

lint: install deploy-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# deploy/: hadolint, the Kubernetes manifests rendered and validated, checkov (deploy/check.py).
deploy-lint: install
	$(BIN)/python deploy/check.py

test: lint
	$(BIN)/sambot db upgrade
	$(BIN)/pytest $(PYTEST_ARGS)

# The production topology on loopback PostgreSQL: two web processes behind a round-robin
# proxy, two schedulers, the Slack stand-in; kills under load (topology/test_topology.py).
topology-test: install
	$(BIN)/python -m pytest topology -q -p no:randomly -p no:cacheprovider

# Mutation testing of the modules whose rules are promises (tests/MUTATION.md): a fresh
# run on SQLite, two workers, then the table per module. Long: not part of `make test`.
mutation: install
	rm -rf mutants
	start=$$(date +%s); \
	SAMBOT_TEST_BACKENDS=sqlite $(BIN)/mutmut run --max-children 2 && \
	echo "run time: $$(( $$(date +%s) - start )) s"
	$(BIN)/python tests/mutation_report.py
	$(BIN)/python tests/mutation_manual.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
