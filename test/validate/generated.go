package validate

import (
	"path/filepath"
	"runtime"
)

// GeneratedCRDDir is the directory of the CRDs the root module's make
// generate writes with controller-gen from API modules that publish no CRD
// file (crds/ beside this file), so any test package finds them whatever
// its working directory.
func GeneratedCRDDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "crds"
	}
	return filepath.Join(filepath.Dir(file), "crds")
}
