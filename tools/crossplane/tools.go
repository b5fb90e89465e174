//go:build tools

// Package tools pins the crossplane CLI (render, xpkg build). v2.2.0 is the
// last release whose module still carries cmd/crank. It lives in a module of
// its own so its dependencies never leak into the function's go.mod.
package tools

import _ "github.com/crossplane/crossplane/v2/cmd/crank"
