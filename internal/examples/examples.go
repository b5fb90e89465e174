// Package examples finds the repository's examples by the one rule every
// harness uses (make render, the render goldens, the fuzz and determinism
// tests, the benchmarks, the schema checks and the end-to-end test):
//
//   - an example is a directory under example/, at any depth, that holds an
//     xr.yaml;
//   - its Composition is the composition.yaml beside the xr.yaml, else
//     example/composition.yaml;
//   - an observed.yaml beside it holds the composed resources Crossplane
//     observes once the example is running (crossplane render
//     --observed-resources), a required.yaml the objects Crossplane reads
//     for the function (--required-resources). Either may be absent.
//
// Every example renders with example/functions.yaml.
//
// It uses only the standard library: the Makefile and the test module,
// which cannot import the root module, get the same answers from
// cmd/examples.
package examples

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The files of the rule.
const (
	// Dir is where the examples are, relative to the repository root.
	Dir = "example"

	xrFile          = "xr.yaml"
	compositionFile = "composition.yaml"
	observedFile    = "observed.yaml"
	requiredFile    = "required.yaml"
	functionsFile   = "functions.yaml"
)

// An Example is one example's files. Paths are the repository root given to
// Find or Get joined with the file's path in the repository, so they are
// relative when the root is.
type Example struct {
	// Name is the example's directory relative to example/, with
	// forward slashes: "single-node", "legacy".
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
}

// RenderArgs are the arguments of crossplane render for the example: its
// XR, Composition and Functions, then --observed-resources and
// --required-resources for the files beside it.
func (e Example) RenderArgs() []string {
	args := []string{e.XR, e.Composition, e.Functions}
	if e.Observed != "" {
		args = append(args, "--observed-resources="+e.Observed)
	}
	if e.Required != "" {
		args = append(args, "--required-resources="+e.Required)
	}
	return args
}

// Find returns every example under root's example/ directory, sorted by
// name. A repository without examples is an error: a harness that finds
// none would check nothing.
func Find(root string) ([]Example, error) {
	base := filepath.Join(root, Dir)
	functions := filepath.Join(base, functionsFile)
	if err := isFile(functions); err != nil {
		return nil, fmt.Errorf("cannot find the examples: every example renders with %s: %w", functions, err)
	}
	var out []Example
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != xrFile {
			return err
		}
		ex, err := at(base, path)
		if err == nil {
			out = append(out, ex)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot find the examples: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("cannot find the examples: no directory under %s holds an %s", base, xrFile)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// at is the example whose xr.yaml is at path, under the examples' base
// directory.
func at(base, path string) (Example, error) {
	dir := filepath.Dir(path)
	if dir == base {
		return Example{}, fmt.Errorf("%s: an example is a directory under %s, not %s itself", path, base, base)
	}
	if err := isFile(path); err != nil {
		return Example{}, err
	}
	rel, err := filepath.Rel(base, dir)
	if err != nil {
		return Example{}, err
	}
	ex := Example{
		Name:      filepath.ToSlash(rel),
		Dir:       dir,
		XR:        path,
		Functions: filepath.Join(base, functionsFile),
	}
	if ex.Composition, err = optional(filepath.Join(dir, compositionFile)); err != nil {
		return Example{}, err
	}
	if ex.Composition == "" {
		def := filepath.Join(base, compositionFile)
		if err := isFile(def); err != nil {
			return Example{}, fmt.Errorf("example %s has no %s and there is no default: %w", ex.Name, compositionFile, err)
		}
		ex.Composition = def
	}
	if ex.Observed, err = optional(filepath.Join(dir, observedFile)); err != nil {
		return Example{}, err
	}
	if ex.Required, err = optional(filepath.Join(dir, requiredFile)); err != nil {
		return Example{}, err
	}
	return ex, nil
}

// Get returns the example called name, its directory relative to example/.
// An unknown name is an error that lists the known ones.
func Get(root, name string) (Example, error) {
	all, err := Find(root)
	if err != nil {
		return Example{}, err
	}
	names := make([]string, 0, len(all))
	for _, ex := range all {
		if ex.Name == filepath.ToSlash(filepath.Clean(name)) {
			return ex, nil
		}
		names = append(names, ex.Name)
	}
	return Example{}, fmt.Errorf("unknown example %q: the examples are the directories under %s with an %s: %s",
		name, filepath.Join(root, Dir), xrFile, strings.Join(names, ", "))
}

// optional returns path when it is a file, "" when nothing is there.
func optional(path string) (string, error) {
	err := isFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return path, nil
}

// isFile fails unless path is a regular file (or a link to one).
func isFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", path)
	}
	return nil
}
