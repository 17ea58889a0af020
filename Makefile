# The course's two commands (see README.md):
#   make grade   build the release, autograde the example class, write feedback, print grades
#   make test    run the whole test suite
# Both create or refresh the local environment in .venv first; `make test` also
# installs the Debian packages its tests start (a PostgreSQL server, Chromium).

VENV := .venv
BIN := $(VENV)/bin
# nbgrader shells out to alembic, so the environment's bin must come first on PATH.
RUN := PATH="$(CURDIR)/$(BIN):$$PATH" MPLBACKEND=Agg

SYSTEM_PACKAGES := postgresql chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: grade test release benchmark env system lab

env: $(VENV)/.installed

# Debian packages, installed only when missing.
system:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@# Hidden tests import the instructor-only grader package: a .pth file puts the
	@# course root at the end of the environment's sys.path, after the working
	@# directory, so a notebook still imports its own folder's utils/ first.
	$(BIN)/python -c "import site; print('$(CURDIR)', file=open(site.getsitepackages()[0] + '/course_root.pth', 'w'))"
	touch $@

grade: env
	$(RUN) $(BIN)/python -m grader all

release: env
	$(RUN) $(BIN)/python -m grader release

test: env system
	$(RUN) $(BIN)/python -m pytest

# JupyterLab in the course root, nbgrader's extensions on (formgrader at /formgrader).
lab: env
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab

benchmark: env
	$(RUN) $(BIN)/python -m grader.course.benchmark
