# grantkit: two commands do everything — `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ENTITY ?= 山口県
BASE   ?= H30
TARGET ?= R1
OUT    ?= reports
MUNICIPALITY ?= つばきの森市
YEAR   ?= R7
# numpy's default madvise(MADV_HUGEPAGE) stalls page faults where THP is "madvise" and no huge page is free
# (numpy#31590): filling 320 MB took 1.1 s instead of 0.15 s on the CI machine. Set it to 1 to restore.
NUMPY_MADVISE_HUGEPAGE ?= 0
export NUMPY_MADVISE_HUGEPAGE

.PHONY: setup report report-prefecture report-municipal test lint lab bench notebooks clean

# (Re)install only when pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml
	@echo "初回のみ環境を準備しています（.venv に必要なパッケージを入れます。数分かかることがあります）…"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)
	@echo "環境の準備ができました。"

setup: $(STAMP)

# Both bundled examples: the 山口県 prefecture report (H30 → R1) and a municipal report on the 架空データ sample.
report: report-prefecture report-municipal

# A bundled example's report is made again only when something it is made from changed: grantkit's code, layouts,
# templates and bundled data, or the installed packages (pyproject.toml). A report on your own files (DATA= …) is
# always made again. The report's folder (the command's last line) is kept in a stamp under $(OUT)/.make/, so a
# deleted report folder is made again too. `make report FORCE=1` forces it.
SOURCES := pyproject.toml $(shell find grantkit -type f \( -name '*.py' -o -name '*.csv' -o -name '*.ipynb' \
             -o -name '*.xlsx' -o -name '*.css' \) -not -path '*/__pycache__/*' 2>/dev/null)
MADE    := $(OUT)/.make
PREFECTURE_STAMP := $(MADE)/prefecture_$(ENTITY)_$(BASE)_$(TARGET)_$(GRANT)
MUNICIPAL_STAMP  := $(MADE)/municipal_$(MUNICIPALITY)_$(YEAR)
.PHONY: FORCE
FORCE:

# $(call made,STAMP): make STAMP if it is missing, out of date or its report folder is gone; say so otherwise.
define made
@test -d "$$(tail -n 1 $(1) 2>/dev/null)" || rm -f "$(1)"
@if $(MAKE) -q --no-print-directory "$(1)" 2>/dev/null; then \
  echo "変更がないため作り直しません: $$(tail -n 1 $(1))（作り直すには make $@ FORCE=1）"; \
else $(MAKE) -s --no-print-directory "$(1)"; fi
endef

# DATA= UTILIZATION= PROJECTS= BUDGETS= GRANT= : your own files (empty: the bundled 山口県 example).
report-prefecture: $(STAMP)
	$(call made,$(PREFECTURE_STAMP))

$(PREFECTURE_STAMP): $(STAMP) $(SOURCES) $(if $(FORCE)$(DATA)$(UTILIZATION)$(PROJECTS)$(BUDGETS),FORCE)
	@mkdir -p $(@D)
	$(BIN)/grantkit report --entity $(ENTITY) --base $(BASE) --target $(TARGET) --out $(OUT) \
	  $(if $(DATA),--data "$(DATA)") $(if $(UTILIZATION),--utilization "$(UTILIZATION)") \
	  $(if $(PROJECTS),--projects "$(PROJECTS)") $(if $(BUDGETS),--budgets "$(BUDGETS)") \
	  $(if $(GRANT),--grant $(GRANT)) > "$@.tmp"
	@cat "$@.tmp" && mv "$@.tmp" "$@"

report-municipal: $(STAMP)
	$(call made,$(MUNICIPAL_STAMP))

$(MUNICIPAL_STAMP): $(STAMP) $(SOURCES) $(if $(FORCE),FORCE)
	@mkdir -p $(@D)
	$(BIN)/grantkit report --level 市町村 --entity $(MUNICIPALITY) --year $(YEAR) --out $(OUT) > "$@.tmp"
	@cat "$@.tmp" && mv "$@.tmp" "$@"

# Every test, doctest and notebook; tests/test_guard_rails.py also runs ruff and the import-linter contract.
test: $(STAMP)
	$(BIN)/python -m pytest

# ruff (lint + format check, line length 120) and the import-linter stage contract (pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# LAB_ARGS: JupyterLab options, e.g. `make lab LAB_ARGS="--allow-root --ip=0.0.0.0 --no-browser"` (containers).
LAB_ARGS ?=
# Opens the repository root: notebooks/ and the report templates in grantkit/report/templates/.
lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_ARGS)

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis .ruff_cache .import_linter_cache
