# Two commands on a fresh machine:
#   make run    -> installs everything, migrates, seeds demo data, serves http://127.0.0.1:8000
#   make test   -> installs everything and runs the whole test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format sysdeps sysdeps-test venv messages migrate seed worker bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 이상이 필요합니다.")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

# The English interface: every .po catalogue compiled into the .mo file Django reads, with
# GNU gettext's msgfmt (a system package, see sysdeps) -- what `manage.py compilemessages` runs.
# The .mo files are build products, not committed (docs/decisions/020-languages.md).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po */locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

%.mo: %.po
	msgfmt --check-format -o $@ $<

messages: $(MO_FILES)

sysdeps:
	@scripts/system-deps.sh run

sysdeps-test:
	@scripts/system-deps.sh test

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: sysdeps messages seed
	@echo ""
	@echo "  인증평가시스템:  http://$(HOST):$(PORT)/"
	@echo "  데모 계정 (비밀번호 demo1234!): admin, manager, evaluator1-3, inst1-5"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: sysdeps-test venv messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: venv
	$(VENV)/bin/celery -A config worker -l info

# bench/_*.py are shared helpers; bench/load.py (a minute-long load test) runs on its own.
bench: venv
	@for f in bench/*.py; do case $$f in bench/_*|bench/load.py) continue;; esac; \
		echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var
