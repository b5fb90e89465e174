package validate

import (
	"os"
	"path/filepath"
)

// GeneratedCRDDir is the directory of the CRDs the root module's make
// generate writes with controller-gen from API modules that publish no CRD
// file (crds/ beside this file), so any test package finds them whatever
// its working directory. It is found from the working directory, which go
// test sets to a package's directory in this module: up to this module's
// go.mod, then validate/crds. Not from runtime.Caller, whose file is a
// module path rather than a directory when the Makefile builds with
// -trimpath.
func GeneratedCRDDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return "crds"
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "validate", "crds")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "crds"
		}
		dir = parent
	}
}
