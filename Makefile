# The course's two commands (see README.md):
#   make grade   build the release, autograde the example class, write feedback, print grades
#   make test    run the whole test suite
# Both create or refresh the local environment in .venv first.

VENV := .venv
BIN := $(VENV)/bin
# nbgrader shells out to alembic, so the environment's bin must come first on PATH.
RUN := PATH="$(CURDIR)/$(BIN):$$PATH" MPLBACKEND=Agg

.PHONY: grade test release benchmark env browser lab

env: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@# Hidden tests import the instructor-only grader package: a .pth file puts the
	@# course root at the end of the environment's sys.path, after the working
	@# directory, so a notebook still imports its own folder's utils/ first.
	$(BIN)/python -c "import site; print('$(CURDIR)', file=open(site.getsitepackages()[0] + '/course_root.pth', 'w'))"
	touch $@

# The browser tests drive Debian's chromium (Playwright never downloads one).
# Installed only when missing; apt-get update only when the package lists are
# stale. If it cannot be installed those tests are skipped and say why.
CHROMIUM := /usr/bin/chromium
APT := $(if $(filter 0,$(shell id -u)),,sudo -n) env DEBIAN_FRONTEND=noninteractive apt-get
browser:
	@test -x $(CHROMIUM) || $(APT) install -y --no-install-recommends chromium \
		|| { $(APT) update && $(APT) install -y --no-install-recommends chromium; } \
		|| echo "WARNING: could not install chromium; the browser tests will be skipped"

grade: env
	$(RUN) $(BIN)/python -m grader all

release: env
	$(RUN) $(BIN)/python -m grader release

test: env browser
	$(RUN) $(BIN)/python -m pytest

# JupyterLab in the course root, nbgrader's extensions on (formgrader at /formgrader).
lab: env
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab

benchmark: env
	$(RUN) $(BIN)/python -m grader.benchmark
