# Every target does its own set-up: a fresh clone with only Python and pip is enough.
PYTHON ?= python3
VENVS := .venvs
MAJORS := openai3 openai2
# Frameworks whose pins conflict with the shared venvs: one venv each, where only their tests run
# (tests/integrations/_frameworks.py says which); built from requirements/<env>.txt like the majors.
FRAMEWORK_ENVS := crewai dspy marvin semantic-kernel
PYTEST_ARGS ?=

.PHONY: demo test test-framework-envs lint check clean cassettes bench

## The quickstart, against the local gateway unless OMNIGATE_BASE_URL is set.
demo: $(VENVS)/openai3/.installed
	$(VENVS)/openai3/bin/python examples/quickstart.py

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

$(VENVS)/%/.installed: pyproject.toml requirements/%.txt bench/requirements.txt
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
