# Every target does its own set-up: a fresh clone with only Python and pip is enough.
# PYTHON picks the interpreter the virtual environments are made with: `make demo PYTHON=python3.12`.
PYTHON ?= python3
VENVS := .venvs
MAJORS := openai3 openai2
# Frameworks whose pins conflict with the shared venvs: one venv each, where only their tests run
# (tests/integrations/_frameworks.py says which); built from requirements/<env>.txt like the majors.
FRAMEWORK_ENVS := crewai dspy marvin semantic-kernel
PYTEST_ARGS ?=

.PHONY: demo test test-framework-envs lint check clean cassettes bench

# Fails, saying what to do, when $(PYTHON) is missing or older than $(1) (e.g. 3.11).
define require_python
	@found=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	if [ -z "$$found" ] || ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < tuple(map(int, "$(1)".split("."))))'; then \
		echo "error: this needs Python $(1) or newer; PYTHON=$(PYTHON) is $${found:-not a Python this can run}." >&2; \
		echo "       Install one, then run: make $(or $(MAKECMDGOALS),demo) PYTHON=python3.12 (or its path)." >&2; \
		exit 1; \
	fi
endef

# Removes the environment $(1) when it was made by another Python than $(PYTHON): after `PYTHON=`
# changes, a reused environment would keep failing the same way.
define fresh_for_python
	@if [ -x $(1)/bin/python ] && [ "$$($(1)/bin/python -c 'import sys; print(sys.version)')" != "$$($(PYTHON) -c 'import sys; print(sys.version)')" ]; then \
		echo "$(1) was made by another Python: rebuilding it with $(PYTHON)"; rm -rf $(1); \
	fi
endef

## The quickstart, against the local gateway unless OMNIGATE_BASE_URL is set: only the package and its
## `testing` extra, in a virtual environment of its own.
demo: $(VENVS)/demo/.installed
	$(VENVS)/demo/bin/python examples/quickstart.py

$(VENVS)/demo/.installed: pyproject.toml
	$(call require_python,3.10)
	$(call fresh_for_python,$(VENVS)/demo)
	$(PYTHON) -m venv $(VENVS)/demo
	$(VENVS)/demo/bin/python -m pip install --quiet --upgrade pip
	$(VENVS)/demo/bin/python -m pip install --quiet '.[testing]'
	touch $@

## The whole test suite, once against the newest openai 3.x and once against the newest 2.x; then each
## framework venv's integration tests. The Flow profile's tests also drive a real LiteLLM proxy, which
## lives in its own venv.
test: $(addprefix $(VENVS)/,$(addsuffix /.installed,$(MAJORS))) $(VENVS)/litellm/.installed test-framework-envs
	@set -e; for major in $(MAJORS); do \
		echo "== tests against $$($(VENVS)/$$major/bin/python -c 'import openai; print("openai", openai.__version__)')"; \
		$(VENVS)/$$major/bin/python -m pytest $(PYTEST_ARGS); \
	done

## The frameworks that have a venv of their own: about 3.3 GB and 20 minutes to build all four on a fresh
## clone on 2 busy cores (crewai alone 1.2 GB, ~10 min); their tests take about a minute.
test-framework-envs: $(addprefix $(VENVS)/,$(addsuffix /.installed,$(FRAMEWORK_ENVS)))
	@set -e; for env in $(FRAMEWORK_ENVS); do \
		echo "== framework tests in .venvs/$$env"; \
		$(VENVS)/$$env/bin/python -m pytest tests/integrations $(PYTEST_ARGS); \
	done

## ruff and a strict type check of src/, under both majors.
lint: $(addprefix $(VENVS)/,$(addsuffix /.installed,$(MAJORS)))
	$(VENVS)/openai3/bin/ruff check src tests examples bench
	$(VENVS)/openai3/bin/ruff format --check src
	$(VENVS)/openai3/bin/mypy --always-true HTTPX2
	$(VENVS)/openai2/bin/mypy --always-false HTTPX2

check: lint test

## Re-record the shim's own cassettes from the local gateway.
cassettes: $(VENVS)/openai3/.installed
	$(VENVS)/openai3/bin/python -m pytest tests/replay --record-mode=rewrite

## The benchmark: the shim against plain openai 3.x and 2.x, omnigate 0.2 and raw httpx2 (about 4 minutes).
bench: $(VENVS)/openai3/.installed $(VENVS)/openai2/.installed
	$(VENVS)/openai3/bin/python -m bench

# The pytest plugin's module is copied into the venv even by an editable install (pyproject's
# force-include): an edit to it re-installs, or the tests would run the old copy.
$(VENVS)/%/.installed: pyproject.toml requirements/%.txt bench/requirements.txt src/omnigate_openai_pytest.py
	$(call require_python,3.11)
	$(call fresh_for_python,$(VENVS)/$*)
	$(PYTHON) -m venv $(VENVS)/$*
	$(VENVS)/$*/bin/python -m pip install --quiet --upgrade pip
	$(VENVS)/$*/bin/python -m pip install --quiet -e '.[dev]' -r requirements/$*.txt
	touch $@

## The real LiteLLM proxy the Flow tests start (tests/flow/_litellm.py): its own venv, so its pins
## never touch the openai 2.x / 3.x venvs. About a minute to build on a fresh clone.
$(VENVS)/litellm/.installed: requirements/litellm.txt
	$(PYTHON) -m venv $(VENVS)/litellm
	$(VENVS)/litellm/bin/python -m pip install --quiet --upgrade pip
	$(VENVS)/litellm/bin/python -m pip install --quiet -r requirements/litellm.txt
	touch $@

clean:
	rm -rf $(VENVS)
