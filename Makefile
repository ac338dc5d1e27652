# make run   — install what is missing, build, start the dev CSMS and the charger (simulated board) connected to it
# make test  — install what is missing, build, run every test
# make bench — benchmarks, one JSON object per line on stdout
# make diagrams — draw every state machine from its definition into docs/machines/ (Mermaid)

SHELL := /bin/bash
NPM_STAMP := node_modules/.installed-stamp

.PHONY: all deps system-deps build test run bench diagrams clean

all: build

# Install and build output goes to stderr, so `make bench` prints nothing but its JSON lines on stdout.
$(NPM_STAMP): package.json package-lock.json
	@echo "npm ci" >&2
	@npm ci --no-audit --no-fund --loglevel=error >&2
	@touch $@

deps: $(NPM_STAMP)

# Debian tools the tests use: socat makes the pseudo-terminal pairs the serial drivers are tested over.
system-deps:
	@command -v socat >/dev/null || { echo "installing socat" >&2; \
	  { [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; }; \
	  $$SUDO apt-get update -qq >&2 && $$SUDO apt-get install -y -qq socat >&2; }

# tsc, then the JSON schemas compiled to ajv standalone code in dist/ (tools/build/compile-schemas.ts):
# a start loads validators instead of compiling them.
build: deps
	@echo "tsc" >&2
	@npx tsc -p tsconfig.json >&2
	@echo "compile schemas" >&2
	@node dist/tools/build/compile-schemas.js >&2

test: build system-deps
	npx mocha 'dist/test/**/*.test.js'

# Ctrl-C stops both (tools/dev-stack.ts).
run: build
	node dist/tools/dev-stack.js --config config/example.sim.json --data-dir run-data

bench: build
	@node dist/tools/bench/run-all.js

diagrams: build
	node dist/tools/diagrams.js

clean:
	rm -rf dist
