# make run   — install what is missing, build, start the charger on the simulated board
# make test  — install what is missing, build, run every test
# make bench — benchmarks, one JSON object per line on stdout

SHELL := /bin/bash
NPM_STAMP := node_modules/.installed-stamp

.PHONY: all deps build test run bench clean

all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(NPM_STAMP)

build: deps
	npx tsc -p tsconfig.json

test: build
	npx mocha

run: build
	node --max-semi-space-size=1 dist/app/main.js --config config/example.sim.json --data-dir run-data

bench: build
	@node dist/tools/bench/run-all.js

clean:
	rm -rf dist
