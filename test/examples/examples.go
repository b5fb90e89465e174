// Package examples lists the repository's examples for the harnesses of
// the test module. The rule that finds them is written once, in the root
// module's internal/examples; this module does not depend on the root
// module (requiring it would move many of this module's dependencies to
// the root module's versions), so List runs the root module's cmd/examples,
// which prints what the rule finds.
package examples

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
)

// An Example is one example's files, as absolute paths; see the root
// module's internal/examples.
type Example struct {
	// Name is the example's directory relative to example/, with
	// forward slashes.
	Name string `json:"name"`
	// Dir is the example's directory.
	Dir string `json:"dir"`
	// XR is its xr.yaml.
	XR string `json:"xr"`
	// Composition is the composition.yaml beside the XR, else
	// example/composition.yaml.
	Composition string `json:"composition"`
	// Functions is example/functions.yaml.
	Functions string `json:"functions"`
	// Observed is the observed.yaml beside the XR, "" when there is none.
	Observed string `json:"observed,omitempty"`
	// Required is the required.yaml beside the XR, "" when there is none.
	Required string `json:"required,omitempty"`
	// RenderArgs are the arguments make render gives crossplane render
	// for the example: XR, Composition, Functions and the flags for
	// what lies beside the XR.
	RenderArgs []string `json:"renderArgs"`
}

// List returns every example of the repository at root, sorted by name. It
// runs `go run ./cmd/examples list` in root.
func List(root string) ([]Example, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "run", "./cmd/examples", "list", "-root="+root)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("cannot list the examples: go run ./cmd/examples list: %w\n%s", err, stderr.Bytes())
	}
	var all []Example
	if err := json.Unmarshal(out, &all); err != nil {
		return nil, fmt.Errorf("cannot decode the list of examples: %w", err)
	}
	if len(all) == 0 {
		return nil, errors.New("cmd/examples listed no examples")
	}
	return all, nil
}
