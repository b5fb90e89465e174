package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// Pinned versions of the modules schemas are read from. They are not in this
// module's go.mod: nothing imports their Go code, and k8s.io/kubernetes can't
// be required without replace directives. They are fetched from the module
// proxy with `go mod download`, which verifies them against go.sum's checksum
// database like any other module.
const (
	// KubernetesModule publishes the OpenAPI v3 documents of every built-in
	// group-version under api/openapi-spec/v3.
	KubernetesModule  = "k8s.io/kubernetes"
	KubernetesVersion = "v1.34.2"

	LWSModule  = "sigs.k8s.io/lws"
	LWSVersion = "v0.9.0"

	GatewayAPIModule  = "sigs.k8s.io/gateway-api"
	GatewayAPIVersion = "v1.6.3"

	InferenceExtensionModule  = "sigs.k8s.io/gateway-api-inference-extension"
	InferenceExtensionVersion = "v1.6.0"

	CrossplaneModule  = "github.com/crossplane/crossplane/v2"
	CrossplaneVersion = "v2.4.0"

	// IstioAPIModule holds the CRDs of every Istio kind, generated into one
	// file. v1.28.0 is the release istio.io/client-go v1.28.0 is built
	// for; the root module resolves to it too.
	IstioAPIModule  = "istio.io/api"
	IstioAPIVersion = "v1.28.0"

	// GKEGatewayAPIModule holds the CRDs of GKE's Gateway policy kinds.
	GKEGatewayAPIModule  = "github.com/GoogleCloudPlatform/gke-gateway-api"
	GKEGatewayAPIVersion = "v1.3.0"

	// KEDAModule holds the CRD of KEDA's ScaledObject, which spec.scaling
	// composes; the same version the root module's Go types come from.
	KEDAModule  = "github.com/kedacore/keda/v2"
	KEDAVersion = "v2.20.0"

	// InferenceObjectiveVersion is the last inference extension release
	// that ships the InferenceObjective CRD; the API has since moved to
	// llm-d-router, whose Go module can't be downloaded here. See
	// RegroupCRD.
	InferenceObjectiveVersion = "v1.5.0"

	// LLMDGroup is the group llm-d-router serves InferenceObjective in.
	LLMDGroup = "llm-d.ai"

	// EnvoyGatewayModule holds the CRD of Envoy Gateway's SecurityPolicy
	// (input router.authentication, gateway EnvoyGateway); the version the
	// root module's Go types come from.
	EnvoyGatewayModule  = "github.com/envoyproxy/gateway"
	EnvoyGatewayVersion = "v1.6.0"

	// PrometheusOperatorAPIModule holds the PodMonitor's Go types; the
	// version is the root module's.
	PrometheusOperatorAPIModule  = "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring"
	PrometheusOperatorAPIVersion = "v0.93.1"
)

// openAPIDir is where k8s.io/kubernetes keeps the OpenAPI v3 documents.
const openAPIDir = "api/openapi-spec/v3"

// A CRDSource is a set of CustomResourceDefinition files inside a Go module.
type CRDSource struct {
	Module  string
	Version string

	// Globs are filepath.Match patterns relative to the module's root.
	Globs []string

	// Names, if set, keeps only the CRDs of these names from the files:
	// some projects generate all their CRDs into one file, and checking
	// kinds we never compose would only cost time. Every name must be found.
	Names []string

	// Transform, if set, rewrites each CRD kept before it is used, for a
	// CRD that is only published under another identity (see RegroupCRD).
	Transform func(*apiextensionsv1.CustomResourceDefinition)

	// Dir, if set, is where Globs are matched instead of the module: for a
	// module that publishes its kinds' Go types but no CRD file, the CRD
	// controller-gen generates from those types (make generate; see
	// GeneratedCRDDir).
	Dir string
}

func (s CRDSource) String() string { return s.Module + "@" + s.Version }

// DefaultCRDSources are the CRDs of every custom kind the function composes,
// plus the Crossplane kinds a function may emit (EnvironmentConfig, Usage).
func DefaultCRDSources() []CRDSource {
	return []CRDSource{
		{Module: LWSModule, Version: LWSVersion, Globs: []string{
			"config/crd/bases/leaderworkerset.x-k8s.io_leaderworkersets.yaml",
		}},
		// Only the CRD files: since v1.5 the standard channel directory also
		// ships a ValidatingAdmissionPolicy (vap_safeupgrades.yaml).
		{Module: GatewayAPIModule, Version: GatewayAPIVersion, Globs: []string{
			"config/crd/standard/gateway.networking.k8s.io_[^v]*.yaml",
		}},
		{Module: InferenceExtensionModule, Version: InferenceExtensionVersion, Globs: []string{
			"config/crd/bases/inference.networking.k8s.io_inferencepools.yaml",
		}},
		{Module: CrossplaneModule, Version: CrossplaneVersion, Globs: []string{
			"cluster/crds/apiextensions.crossplane.io_*.yaml",
			"cluster/crds/protection.crossplane.io_*.yaml",
		}},
		// Provider extras: Istio's DestinationRule, GKE's policies.
		{
			Module: IstioAPIModule, Version: IstioAPIVersion,
			Globs: []string{"kubernetes/customresourcedefinitions.gen.yaml"},
			Names: []string{
				"destinationrules.networking.istio.io",
				// Route authentication (input router.authentication).
				"requestauthentications.security.istio.io",
				"authorizationpolicies.security.istio.io",
			},
		},
		// Route authentication with Envoy Gateway.
		{Module: EnvoyGatewayModule, Version: EnvoyGatewayVersion, Globs: []string{
			"charts/gateway-helm/crds/generated/gateway.envoyproxy.io_securitypolicies.yaml",
		}},
		{Module: GKEGatewayAPIModule, Version: GKEGatewayAPIVersion, Globs: []string{
			"config/crd/networking.gke.io_healthcheckpolicies.yaml",
			"config/crd/networking.gke.io_gcpbackendpolicies.yaml",
		}},
		// spec.scaling's ScaledObject.
		{Module: KEDAModule, Version: KEDAVersion, Globs: []string{
			"config/crd/bases/keda.sh_scaledobjects.yaml",
		}},
		// llm-d-router's InferenceObjective is the inference extension's,
		// moved to the llm-d.ai group. llm-d-router's own CRD has since
		// drifted: on its main branch poolRef.group defaults to llm-d.ai
		// rather than inference.networking.k8s.io, and poolRef became
		// optional next to poolRefs and poolSelector. Composed objectives
		// therefore set poolRef.group explicitly and rely on no default.
		{
			Module: InferenceExtensionModule, Version: InferenceObjectiveVersion,
			Globs:     []string{"config/crd/bases/inference.networking.x-k8s.io_inferenceobjectives.yaml"},
			Transform: RegroupCRD(LLMDGroup),
		},
		// prometheus-operator's PodMonitor (input monitoring.podMonitors).
		// The API module ships no CRD and the operator's own module, which
		// does, is not served by the proxy: the CRD is generated from the
		// API module's types, as the operator generates its own.
		{
			Module: PrometheusOperatorAPIModule, Version: PrometheusOperatorAPIVersion, Dir: GeneratedCRDDir(),
			Globs: []string{"monitoring.coreos.com_podmonitors.yaml"},
		},
	}
}

// RegroupCRD returns a transform that serves a CRD's kinds in another group,
// leaving its schema alone. llm-d-router moved InferenceObjective from the
// inference extension's inference.networking.x-k8s.io to llm-d.ai with the
// same v1alpha2 schema, so the inference extension's last published CRD,
// regrouped, stands in for llm-d-router's.
func RegroupCRD(group string) func(*apiextensionsv1.CustomResourceDefinition) {
	return func(crd *apiextensionsv1.CustomResourceDefinition) {
		crd.Spec.Group = group
		// The API server requires <plural>.<group> as the CRD's name.
		crd.Name = crd.Spec.Names.Plural + "." + group
	}
}

// A sourceCRD is a CRD read from a CRDSource, and the file it came from.
type sourceCRD struct {
	CRD  *apiextensionsv1.CustomResourceDefinition
	File string
}

// readCRDs returns the CRDs of s, whose module is in dir: those in the files
// its Globs match, in file order, filtered by Names and transformed.
func (s CRDSource) readCRDs(dir string) ([]sourceCRD, error) {
	if s.Dir != "" {
		dir = s.Dir
	}
	files, err := expandGlobs(dir, s.Globs)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range s.Names {
		want[n] = true
	}
	found := map[string]bool{}
	var out []sourceCRD
	for _, f := range files {
		data, err := os.ReadFile(f) //nolint:gosec // Reading schema files is the point.
		if err != nil {
			return nil, fmt.Errorf("cannot read CRD file %q: %w", f, err)
		}
		crds, err := parseCRDs(data)
		if err != nil {
			return nil, fmt.Errorf("cannot load CRDs from %s: %w", f, err)
		}
		for _, crd := range crds {
			if len(want) > 0 && !want[crd.Name] {
				continue
			}
			found[crd.Name] = true
			if s.Transform != nil {
				s.Transform(crd)
			}
			out = append(out, sourceCRD{CRD: crd, File: f})
		}
	}
	for _, n := range s.Names {
		if !found[n] {
			return nil, fmt.Errorf("no CRD named %q in %s", n, strings.Join(files, ", "))
		}
	}
	return out, nil
}

// A moduleVersion is a module path pinned to an exact version.
type moduleVersion struct {
	Path    string
	Version string
}

func (m moduleVersion) String() string { return m.Path + "@" + m.Version }

// downloadedModule is the part of `go mod download -json` output we need.
type downloadedModule struct {
	Path    string
	Version string
	Dir     string
	Error   string
}

// moduleDirs returns the module cache directory of each module, downloading
// the modules through the module proxy if they aren't cached yet. One `go`
// invocation serves all of them; it takes milliseconds once they're cached.
func moduleDirs(ctx context.Context, mods []moduleVersion) (map[moduleVersion]string, error) {
	args := []string{"mod", "download", "-json"}
	seen := map[moduleVersion]bool{}
	for _, m := range mods {
		if seen[m] {
			continue
		}
		seen[m] = true
		args = append(args, m.String())
	}
	sort.Strings(args[3:])

	gobin, err := goBinary()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, gobin, args...)
	// Run outside any module so that `go mod download` can't touch a go.mod
	// or go.sum, and so that a -mod flag in GOFLAGS doesn't apply.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GO111MODULE=on", "GOFLAGS="+withoutModFlag(os.Getenv("GOFLAGS")))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()

	// go mod download -json prints one JSON object per module, with an Error
	// field for the modules it could not download, even when it exits non-zero.
	dirs := map[moduleVersion]string{}
	var failed []string
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		d := downloadedModule{}
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("cannot parse output of %s %s: %w", gobin, strings.Join(args, " "), err)
		}
		if d.Error != "" {
			failed = append(failed, d.Path+"@"+d.Version+": "+d.Error)
			continue
		}
		dirs[moduleVersion{Path: d.Path, Version: d.Version}] = d.Dir
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("cannot download modules: %s", strings.Join(failed, "; "))
	}
	if runErr != nil {
		return nil, fmt.Errorf("cannot run %s %s: %w: %s", gobin, strings.Join(args, " "), runErr, strings.TrimSpace(stderr.String()))
	}
	for m := range seen {
		if dirs[m] == "" {
			return nil, fmt.Errorf("go mod download did not report a directory for %s", m)
		}
	}
	return dirs, nil
}

// goBinary finds the go command. go test puts $GOROOT/bin first in PATH, so
// LookPath normally finds the toolchain running the tests.
func goBinary() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go") //nolint:staticcheck // Only a fallback when go is not in PATH.
	if _, err := os.Stat(p); err != nil {
		return "", errors.New("cannot find the go command in PATH or GOROOT")
	}
	return p, nil
}

// withoutModFlag drops -mod=... from GOFLAGS: go mod download refuses it.
func withoutModFlag(goflags string) string {
	kept := []string{}
	for _, f := range strings.Fields(goflags) {
		if strings.HasPrefix(f, "-mod=") || strings.HasPrefix(f, "--mod=") {
			continue
		}
		kept = append(kept, f)
	}
	return strings.Join(kept, " ")
}

// expandGlobs returns the files matching globs under dir, sorted, and fails
// for a glob that matches nothing: a moved file must not silently shrink the
// set of kinds we can check.
func expandGlobs(dir string, globs []string) ([]string, error) {
	var files []string
	for _, g := range globs {
		matches, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", g, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("glob %q matches no file in %s", g, dir)
		}
		files = append(files, matches...)
	}
	sort.Strings(files)
	return files, nil
}
