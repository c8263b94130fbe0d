# The README's two commands. Both set everything up first (idempotent).
PY := .venv/bin/python

.PHONY: setup demo test

setup:
	bash tools/setup.sh

demo: setup
	$(PY) tools/run_demo.py

test: setup
	$(PY) -m pytest -q tests
