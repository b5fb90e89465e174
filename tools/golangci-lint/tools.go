//go:build tools

// Package tools pins golangci-lint, which the Makefile builds into
// bin/golangci-lint to lint the root module and the test module.
package tools

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
