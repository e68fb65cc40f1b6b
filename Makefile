# dealflow: the two commands of the quickstart are `make run` and `make test`.
.PHONY: run test build tools lint generate bench clean

run: ## bring up PostgreSQL and Temporal, migrate, seed a demo, serve on :8080
	bash scripts/dev.sh

test: ## every check and test, against real PostgreSQL and Temporal
	bash scripts/test.sh

build: ## build bin/dealflow
	go build -o bin/dealflow ./cmd/dealflow

tools: ## build the pinned Temporal CLI and Temporal server into bin/
	bash scripts/temporal-cli.sh
	bash scripts/temporal-server.sh

lint: ## gofmt, go vet, sqlc diff
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	go vet ./...
	go tool sqlc diff

generate: ## regenerate the sqlc query code after changing db/queries or db/migrations
	go tool sqlc generate

bench: ## Go micro-benchmarks, then the full-size benchmarks beside their baselines (scripts/bench.sh)
	go test -run '^$$' -bench . -benchmem ./...
	bash scripts/bench.sh

clean: ## remove local state (.data) and built tools (bin)
	rm -rf .data bin
