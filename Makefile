# One entry point for people and CI. Every target sets up .venv itself when needed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Six workers on two cores, each with its own emulator: applies mostly wait on the provider, so
# more workers than cores keep the cores busy (five kept them 95% busy; four, 86%). With the
# provider's longer waits of the alert channels and the findings export, six finished the suite in
# 170.4 s where five took 175.6 s (one quiet run each, 2026-12-06, 685 tests). loadgroup
# keeps the tests that share one deployment or plan (marked xdist_group) on one worker and
# spreads the rest, longest first (tests/conftest.py).
PYTEST_WORKERS ?= 6
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=10

.PHONY: venv demo test test-static test-plan test-apply test-emulator test-aws lint docs inventories bench clean

venv: $(STAMP)

# The product (pyproject.toml: the operator commands) and, for development only, the test bench and
# the emulator (scripts/pyproject.toml), both editable.
$(STAMP): pyproject.toml scripts/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e . -e scripts
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/guardduty-ecs-bench demo

test: lint
	$(PYTEST)

test-static: $(STAMP)
	$(PYTEST) -m static

test-plan: $(STAMP)
	$(PYTEST) -m plan

test-apply: $(STAMP)
	$(PYTEST) -m apply

test-emulator: $(STAMP)
	$(PYTEST) -m emulator

# The apply layer against the AWS account of the standard AWS variables; never run by CI. One
# worker: the run shares one account and region. See the README, "Real-account run".
test-aws: $(STAMP)
	@echo "test-aws: creates real resources (well under \$$0.10 a run) in region $${AWS_REGION:-<unset>} of your AWS account, destroys them, and fails listing anything left."
	GUARDDUTY_ECS_TEST_BACKEND=aws $(BIN)/pytest -n 0 -m apply -rs

lint: $(STAMP)
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	terraform fmt -check -recursive

docs: $(STAMP)
	$(BIN)/guardduty-ecs-bench docs

# Regenerates the plan inventories from plans against the emulator; review the diff.
inventories: $(STAMP)
	$(BIN)/guardduty-ecs-bench inventories

# Every benchmark figure in one Markdown table (minutes: it runs the whole suite too); review
# and commit docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/guardduty-ecs-bench benchmark --table --out docs/benchmarks.md

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
