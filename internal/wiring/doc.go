// Package wiring holds the facts that the pieces of a served model must
// agree on and that more than one package reads: the ports and container
// names that tie vLLM, the routing sidecar, the endpoint picker, the pool
// and the Services together, the command-line flags the function owns, the
// kinds objects refer to each other by, and how Gateway API parent
// references compare. internal/spec checks a user's spec against them,
// internal/config writes presets with them, internal/compose builds objects
// from them and internal/status reads observed objects with them, so each
// is written here once.
package wiring
