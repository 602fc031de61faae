# Dinie Desk. `make run` and `make test` install what is missing first (see scripts/).
SHELL := /bin/bash
CARGO ?= cargo
export PATH := $(HOME)/.cargo/bin:$(PATH)
E2E := --features dinie-desk-e2e/e2e

.PHONY: run test bundle bench sandbox check lint unit e2e prerequisites test-prerequisites bench-prerequisites

## Build and open the app on its embedded sandbox.
run: prerequisites
	$(CARGO) run -p dinie-desk

## Every test: format, lints, unit, integration against the sandbox, real keychain, real window.
test: test-prerequisites lint unit e2e

## The Linux installers (.deb, .rpm) into target/release/bundle/.
bundle: prerequisites
	npm run tauri -- build --bundles deb,rpm

## Performance figures in the real window (release build of the app).
bench: bench-prerequisites
	$(CARGO) build -p dinie-desk -p dinie-sandbox --release --locked
	$(CARGO) bench -p dinie-desk --bench index_search
	DINIE_DESK_BIN=$(CURDIR)/target/release/dinie-desk $(CARGO) bench -p dinie-desk-e2e --bench startup
	DINIE_DESK_BIN=$(CURDIR)/target/release/dinie-desk $(CARGO) bench -p dinie-desk-e2e --bench agent_actions
	DINIE_DESK_BIN=$(CURDIR)/target/release/dinie-desk $(CARGO) bench -p dinie-desk-e2e --bench workspace
	DINIE_DESK_BIN=$(CURDIR)/target/release/dinie-desk $(CARGO) bench -p dinie-desk-e2e --bench uploads
	DINIE_DESK_BIN=$(CURDIR)/target/release/dinie-desk $(CARGO) bench -p dinie-desk-e2e --bench drafts
	DINIE_DESK_BIN=$(CURDIR)/target/release/dinie-desk $(CARGO) bench -p dinie-desk-e2e --bench responsiveness

## A standalone sandbox on 127.0.0.1:8080, for partners' back ends and manual tries.
sandbox:
	$(CARGO) run -p dinie-sandbox -- --listen 127.0.0.1:8080

prerequisites:
	@scripts/prerequisites.sh build

test-prerequisites:
	@scripts/prerequisites.sh test

bench-prerequisites:
	@scripts/prerequisites.sh bench

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets $(E2E) --locked -- -D warnings

unit:
	$(CARGO) test --workspace --locked
	node --test ui/tests

## The real window under Xvfb, one test world at a time (each has its own X server, D-Bus and
## keyring, and WebKit is heavy for two cores).
## Every cargo call of `make test` selects the whole workspace, so the dependencies are compiled
## once with one set of features (the e2e tests are behind this crate feature, see tests/Cargo.toml);
## the binaries under test are the ones `cargo test --workspace` builds (with the dev-dependencies'
## features, of which only tauri's `test` module is extra, and unused by the binary).
e2e:
	$(CARGO) test --workspace $(E2E) --locked --no-run
	$(CARGO) test --workspace $(E2E) --locked --test e2e -- --test-threads=1
