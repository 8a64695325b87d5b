# 村声 Cunsheng — `make run` to try it, `make test` to check it, `make bench` to measure it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-calendar bench setup model clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

model: $(STAMP)
	$(PY) -m nlp train

run: $(STAMP)
	$(PY) -m bot.runner

test: $(STAMP)
	$(PY) -m pytest -q

# the whole suite (SQLite, embedded Redis) at the instants that broke date-dependent tests
# before (tests/support/clock.py CALENDAR); docs/operations.md records the last run
CALENDAR := month-start quarter-start spring-festival new-years-eve make-up-saturday
test-calendar: $(STAMP)
	@failed=""; for when in $(CALENDAR); do \
	  echo "== CUNSHENG_TEST_NOW=$$when"; \
	  env -u DATABASE_URL -u REDIS_URL CUNSHENG_TEST_NOW=$$when $(PY) -m pytest -q -p no:cacheprovider || failed="$$failed $$when"; \
	done; \
	if [ -n "$$failed" ]; then echo "failed at:$$failed"; exit 1; fi; echo "all $(words $(CALENDAR)) instants passed"

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf var .pytest_cache
