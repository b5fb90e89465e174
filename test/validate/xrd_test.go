package validate

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/test/examples"
)

// The example manifests and the XRDs generated from internal/spec, relative
// to this package.
const (
	exampleDir    = "../../example"
	xrdFile       = exampleDir + "/xrd.yaml"
	legacyXRDFile = exampleDir + "/legacy/xrd.yaml"
)

// The kinds the example XRDs define, at their referenceable version. Each
// is served at v1alpha1 too (xrdVersions), with the same schema.
var (
	xrGVK       = schema.GroupVersionKind{Group: "serving.kserve.io", Version: "v1alpha2", Kind: "LLMInferenceService"}
	legacyXRGVK = schema.GroupVersionKind{Group: "serving.example.org", Version: "v1alpha2", Kind: "XLLMInferenceService"}
	claimGVK    = schema.GroupVersionKind{Group: "serving.example.org", Version: "v1alpha2", Kind: "LLMInferenceService"}
)

// xrdVersions are the versions the example XRDs serve, the referenceable
// one first.
var xrdVersions = []string{"v1alpha2", "v1alpha1"}

// atVersion is gvk at version.
func atVersion(gvk schema.GroupVersionKind, version string) schema.GroupVersionKind {
	gvk.Version = version
	return gvk
}

// minExampleXRs is how many example XRs and claims there are at least, so
// that a moved directory or a renamed kind can't make the example test
// check nothing.
const minExampleXRs = 9

// exampleXRDCRDs converts both example XRDs, the v2 XRD's CRD first.
func exampleXRDCRDs(t *testing.T) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	crds, err := loadExampleXRDCRDs()
	if err != nil {
		t.Fatal(err)
	}
	return crds
}

func loadExampleXRDCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	var out []*apiextensionsv1.CustomResourceDefinition
	for _, f := range []string{xrdFile, legacyXRDFile} {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		crds, err := CRDsForXRD(data)
		if err != nil {
			return nil, fmt.Errorf("CRDsForXRD(%s): %w", f, err)
		}
		out = append(out, crds...)
	}
	return out, nil
}

var (
	xrdValidatorOnce sync.Once
	xrdValidatorV    *Validator
	errXRDValidator  error
)

// xrdValidator returns a Validator that knows the kinds of both example
// XRDs, built once: compiling the CEL rules of their big schemas is slow.
// It reads no module CRDs, which XRs and claims don't need.
func xrdValidator(t *testing.T) *Validator {
	t.Helper()
	xrdValidatorOnce.Do(func() {
		crds, err := loadExampleXRDCRDs()
		if err != nil {
			errXRDValidator = err
			return
		}
		data, err := MarshalCRDs(crds...)
		if err != nil {
			errXRDValidator = err
			return
		}
		// WithCRD checks the CRDs as the API server would on create.
		xrdValidatorV, errXRDValidator = NewValidator(WithCRDSources(), WithCRD(data))
	})
	if errXRDValidator != nil {
		t.Fatalf("cannot build a validator for the example XRDs: %v", errXRDValidator)
	}
	return xrdValidatorV
}

// schemaAt returns the schema of a dotted path of properties, or nil.
func schemaAt(s *apiextensionsv1.JSONSchemaProps, path string) *apiextensionsv1.JSONSchemaProps {
	for _, p := range strings.Split(path, ".") {
		child, ok := s.Properties[p]
		if !ok {
			return nil
		}
		s = &child
	}
	return s
}

func TestCRDsForExampleXRDs(t *testing.T) {
	type crdWant struct {
		name       string
		gvk        schema.GroupVersionKind
		scope      apiextensionsv1.ResourceScope
		categories []string
		// present and absent are property paths of the schema that
		// must and must not exist.
		present []string
		absent  []string
		// defaults are the defaults of property paths, as JSON.
		defaults map[string]string
	}
	cases := map[string]struct {
		reason string
		file   string
		want   []crdWant
	}{
		"V2": {
			reason: "A v2 XRD is a namespaced XR with Crossplane's fields under spec.crossplane, and no claim.",
			file:   xrdFile,
			want: []crdWant{{
				name:       "llminferenceservices.serving.kserve.io",
				gvk:        xrGVK,
				scope:      apiextensionsv1.NamespaceScoped,
				categories: []string{"composite"},
				present: []string{
					"spec.model.uri", "spec.router.scheduler",
					"spec.crossplane.compositionRef.name", "spec.crossplane.compositionSelector.matchLabels",
					"spec.crossplane.compositionRevisionRef", "spec.crossplane.compositionRevisionSelector",
					"spec.crossplane.compositionUpdatePolicy", "spec.crossplane.resourceRefs",
					"status.url", "status.conditions",
					// KServe's v1alpha2 status.
					"status.addresses", "status.router.gateways", "status.router.scheduler.inferencePool",
					"status.workloads.primary.readyReplicas", "status.workloads.service", "status.appliedConfigs",
				},
				absent: []string{"spec.claimRef", "spec.compositionRef", "spec.writeConnectionSecretToRef", "status.claimConditionTypes"},
				// The API server defaults the XRD's
				// defaultCompositionUpdatePolicy to Automatic.
				defaults: map[string]string{"spec.crossplane.compositionUpdatePolicy": `"Automatic"`},
			}},
		},
		"Legacy": {
			reason: "A v1 XRD is a cluster-scoped XR with Crossplane's legacy fields right under spec, and a namespaced claim.",
			file:   legacyXRDFile,
			want: []crdWant{{
				name:       "xllminferenceservices.serving.example.org",
				gvk:        legacyXRGVK,
				scope:      apiextensionsv1.ClusterScoped,
				categories: []string{"composite"},
				present: []string{
					"spec.model.uri", "spec.claimRef.namespace", "spec.compositionRef", "spec.compositionSelector",
					"spec.compositionRevisionRef", "spec.compositionUpdatePolicy", "spec.resourceRefs",
					"spec.writeConnectionSecretToRef", "status.conditions", "status.claimConditionTypes",
					"status.connectionDetails", "status.router.gateways", "status.workloads.primary.readyReplicas", "status.appliedConfigs",
				},
				absent:   []string{"spec.crossplane"},
				defaults: map[string]string{"spec.compositionUpdatePolicy": `"Automatic"`},
			}, {
				name:       "llminferenceservices.serving.example.org",
				gvk:        claimGVK,
				scope:      apiextensionsv1.NamespaceScoped,
				categories: []string{"claim"},
				present: []string{
					"spec.model.uri", "spec.compositeDeletePolicy", "spec.resourceRef", "spec.compositionRef",
					"spec.compositionSelector", "spec.compositionUpdatePolicy", "spec.writeConnectionSecretToRef.name",
					"status.conditions", "status.router.gateways", "status.workloads.primary.readyReplicas", "status.appliedConfigs",
				},
				absent: []string{"spec.crossplane", "spec.claimRef", "spec.resourceRefs"},
				// A v1 XRD's defaultCompositeDeletePolicy defaults to
				// Background; a claim's update policy has no default.
				defaults: map[string]string{"spec.compositeDeletePolicy": `"Background"`, "spec.compositionUpdatePolicy": ""},
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			crds, err := CRDsForXRD(data)
			if err != nil {
				t.Fatalf("%s\nCRDsForXRD(): %v", tc.reason, err)
			}
			if len(crds) != len(tc.want) {
				t.Fatalf("%s\nCRDsForXRD(): want %d CRDs, got %d", tc.reason, len(tc.want), len(crds))
			}
			for i, w := range tc.want {
				crd := crds[i]
				if err := validateCRD(context.Background(), crd); err != nil {
					t.Errorf("%s\nCRD %s: the API server would refuse it: %v", tc.reason, crd.Name, err)
				}
				if crd.Name != w.name || crd.Spec.Scope != w.scope || !cmp.Equal(crd.Spec.Names.Categories, w.categories) {
					t.Errorf("%s\nCRD %d: want %s, %s, categories %v; got %s, %s, categories %v",
						tc.reason, i, w.name, w.scope, w.categories, crd.Name, crd.Spec.Scope, crd.Spec.Names.Categories)
				}
				if len(crd.Spec.Versions) != len(xrdVersions) {
					t.Fatalf("%s\nCRD %s: want versions %v, got %d", tc.reason, crd.Name, xrdVersions, len(crd.Spec.Versions))
				}
				// Every version served, the first stored (the
				// referenceable one), all with one schema: Crossplane
				// converts nothing between them, so a field one
				// version lacks would be pruned when read at it.
				for j, v := range crd.Spec.Versions {
					want := atVersion(w.gvk, xrdVersions[j])
					if got := crdGroupVersionKind(crd, v.Name); got != want || !v.Served || v.Storage != (j == 0) {
						t.Errorf("%s\nCRD %s: want %s served, stored %t; got %s served=%t storage=%t",
							tc.reason, crd.Name, want, j == 0, got, v.Served, v.Storage)
					}
					if diff := cmp.Diff(crd.Spec.Versions[0].Schema, v.Schema); diff != "" {
						t.Errorf("%s\nCRD %s: the schema of %s differs from %s's (-%s +%s):\n%s",
							tc.reason, crd.Name, v.Name, xrdVersions[0], xrdVersions[0], v.Name, diff)
					}
				}
				v := crd.Spec.Versions[0]
				s := v.Schema.OpenAPIV3Schema
				for _, p := range w.present {
					if schemaAt(s, p) == nil {
						t.Errorf("%s\nCRD %s: no property %s", tc.reason, crd.Name, p)
					}
				}
				for _, p := range w.absent {
					if schemaAt(s, p) != nil {
						t.Errorf("%s\nCRD %s: unexpected property %s", tc.reason, crd.Name, p)
					}
				}
				for p, want := range w.defaults {
					got := ""
					if d := schemaAt(s, p); d != nil && d.Default != nil {
						got = string(d.Default.Raw)
					}
					if got != want {
						t.Errorf("%s\nCRD %s: default of %s: want %q, got %q", tc.reason, crd.Name, p, want, got)
					}
				}
			}

			// The same XRD parsed first converts the same.
			u := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(data, &u.Object); err != nil {
				t.Fatal(err)
			}
			fromObject, err := CRDsForXRDObject(u)
			if err != nil {
				t.Fatalf("CRDsForXRDObject(): %v", err)
			}
			if diff := cmp.Diff(crds, fromObject); diff != "" {
				t.Errorf("CRDsForXRDObject(): -CRDsForXRD, +CRDsForXRDObject:\n%s", diff)
			}
		})
	}
}

// minimalXRD is an XRD with the smallest schema, for the scope and error
// cases; replace its apiVersion and add fields to spec with mutations.
const minimalXRD = `
apiVersion: apiextensions.crossplane.io/v2
kind: CompositeResourceDefinition
metadata:
  name: xwidgets.example.org
spec:
  group: example.org
  names:
    kind: XWidget
    plural: xwidgets
  versions:
  - name: v1
    served: true
    referenceable: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size:
                type: integer
`

func TestCRDsForXRDScopes(t *testing.T) {
	v1 := set("apiVersion", "apiextensions.crossplane.io/v1")
	cases := map[string]struct {
		reason    string
		xrd       map[string]any
		wantScope apiextensionsv1.ResourceScope
		// wantRefs is where Crossplane's fields are; wantRefNamespace is
		// whether resourceRefs may name a namespace.
		wantRefs         string
		wantRefNamespace bool
	}{
		"V2Default": {
			reason:    "v2 XRs are namespaced unless they say otherwise.",
			xrd:       obj(t, minimalXRD),
			wantScope: apiextensionsv1.NamespaceScoped, wantRefs: "spec.crossplane.resourceRefs",
		},
		"V2Cluster": {
			reason:    "A cluster-scoped v2 XR has modern fields, and composes in any namespace.",
			xrd:       obj(t, minimalXRD, set("spec.scope", "Cluster")),
			wantScope: apiextensionsv1.ClusterScoped, wantRefs: "spec.crossplane.resourceRefs", wantRefNamespace: true,
		},
		"V1Default": {
			reason:    "v1 XRs default to LegacyCluster: cluster-scoped, with legacy fields.",
			xrd:       obj(t, minimalXRD, v1),
			wantScope: apiextensionsv1.ClusterScoped, wantRefs: "spec.resourceRefs", wantRefNamespace: true,
		},
		"V1Namespaced": {
			reason:    "A v1 XRD may ask for a modern namespaced XR.",
			xrd:       obj(t, minimalXRD, v1, set("spec.scope", "Namespaced")),
			wantScope: apiextensionsv1.NamespaceScoped, wantRefs: "spec.crossplane.resourceRefs",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			crds, err := CRDsForXRDObject(tc.xrd)
			if err != nil {
				t.Fatalf("%s\nCRDsForXRDObject(): %v", tc.reason, err)
			}
			if len(crds) != 1 {
				t.Fatalf("%s\nCRDsForXRDObject(): want 1 CRD, got %d", tc.reason, len(crds))
			}
			crd := crds[0]
			if err := validateCRD(context.Background(), crd); err != nil {
				t.Errorf("%s\nthe API server would refuse the CRD: %v", tc.reason, err)
			}
			if crd.Spec.Scope != tc.wantScope {
				t.Errorf("%s\nscope: want %s, got %s", tc.reason, tc.wantScope, crd.Spec.Scope)
			}
			refs := schemaAt(crd.Spec.Versions[0].Schema.OpenAPIV3Schema, tc.wantRefs)
			if refs == nil {
				t.Fatalf("%s\nno %s", tc.reason, tc.wantRefs)
			}
			if _, got := refs.Items.Schema.Properties["namespace"]; got != tc.wantRefNamespace {
				t.Errorf("%s\n%s[].namespace: want %t, got %t", tc.reason, tc.wantRefs, tc.wantRefNamespace, got)
			}
			if schemaAt(crd.Spec.Versions[0].Schema.OpenAPIV3Schema, "spec.size") == nil {
				t.Errorf("%s\nthe XRD's spec.size is lost", tc.reason)
			}
		})
	}
}

func TestCRDsForXRDErrors(t *testing.T) {
	v1 := set("apiVersion", "apiextensions.crossplane.io/v1")
	claimNames := set("spec.claimNames", map[string]any{"kind": "Widget", "plural": "widgets"})
	cases := map[string]struct {
		reason  string
		xrd     map[string]any
		wantErr string
	}{
		"NotAnXRD": {
			reason:  "Only XRDs are converted.",
			xrd:     obj(t, minimalXRD, set("kind", "Composition")),
			wantErr: "not a apiextensions.crossplane.io/v1 or apiextensions.crossplane.io/v2 CompositeResourceDefinition",
		},
		"V2Claims": {
			reason:  "Crossplane rejects claims in v2 XRDs.",
			xrd:     obj(t, minimalXRD, claimNames),
			wantErr: "claims aren't supported",
		},
		"V1NamespacedClaims": {
			reason:  "Only LegacyCluster XRs have claims.",
			xrd:     obj(t, minimalXRD, v1, set("spec.scope", "Namespaced"), claimNames),
			wantErr: "only LegacyCluster composite resources can offer claims",
		},
		"V2LegacyCluster": {
			reason:  "v2 XRDs have no LegacyCluster scope.",
			xrd:     obj(t, minimalXRD, set("spec.scope", "LegacyCluster")),
			wantErr: "scope LegacyCluster is not supported",
		},
		"UnknownScope": {
			reason:  "Scopes are an enum.",
			xrd:     obj(t, minimalXRD, set("spec.scope", "Galactic")),
			wantErr: `unknown scope "Galactic"`,
		},
		"ConflictingClaimNames": {
			reason:  "A claim can't be named like its XR.",
			xrd:     obj(t, minimalXRD, v1, set("spec.claimNames", map[string]any{"kind": "XWidget", "plural": "widgets"})),
			wantErr: `claim name "XWidget" conflicts`,
		},
		"NoSchema": {
			reason:  "Crossplane can't render a CRD version without a schema.",
			xrd:     obj(t, minimalXRD, unset("spec.versions[0].schema")),
			wantErr: `version "v1" has no schema.openAPIV3Schema`,
		},
		"NoVersions": {
			reason:  "An XRD needs a version.",
			xrd:     obj(t, minimalXRD, set("spec.versions", []any{})),
			wantErr: "no versions",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := CRDsForXRDObject(tc.xrd)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s\nCRDsForXRDObject(): want error containing %q, got %v", tc.reason, tc.wantErr, err)
			}
		})
	}

	t.Run("TwoDocuments", func(t *testing.T) {
		_, err := CRDsForXRD([]byte(minimalXRD + "---\n" + minimalXRD))
		if want := "want one CompositeResourceDefinition document, got 2"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CRDsForXRD(two XRDs): want error containing %q, got %v", want, err)
		}
	})
}

// TestExampleXRDsAreValidXRDs checks the generated XRDs against Crossplane's
// own CompositeResourceDefinition CRD, so that they apply to a cluster.
func TestExampleXRDsAreValidXRDs(t *testing.T) {
	v := validator(t)
	for _, f := range []string{xrdFile, legacyXRDFile} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.ValidateYAML(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestExamplesValidateAgainstXRDs checks every XR and claim under example/
// against the CRDs Crossplane serves for the example XRDs: what a user
// applies (or gives crossplane render) must be accepted by the API server,
// CEL rules and unknown-field checks included.
func TestExamplesValidateAgainstXRDs(t *testing.T) {
	v := xrdValidator(t)

	// The kinds to check are those the converted XRDs serve.
	kinds := map[schema.GroupVersionKind]bool{}
	for _, crd := range exampleXRDCRDs(t) {
		for _, ver := range crd.Spec.Versions {
			if ver.Served {
				kinds[crdGroupVersionKind(crd, ver.Name)] = true
			}
		}
	}
	var want []schema.GroupVersionKind
	for _, gvk := range []schema.GroupVersionKind{xrGVK, legacyXRGVK, claimGVK} {
		for _, ver := range xrdVersions {
			want = append(want, atVersion(gvk, ver))
		}
	}
	for _, gvk := range want {
		if !kinds[gvk] || len(kinds) != len(want) {
			t.Fatalf("the example XRDs serve %v, want %v", kinds, want)
		}
	}

	seen := map[schema.GroupVersionKind]int{}
	// validated are the files that held an XR or claim, by absolute path.
	validated := map[string]bool{}
	err := filepath.WalkDir(exampleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := filepath.Ext(path)
		if d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		// Objects for crossplane render to read, not to apply.
		if base := filepath.Base(path); base == "required.yaml" || base == "observed.yaml" {
			return nil
		}
		data, err := os.ReadFile(path) //nolint:gosec // Reading the examples is the point.
		if err != nil {
			return err
		}
		docs, err := splitYAML(data)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		rel, _ := filepath.Rel(exampleDir, path)
		for i, doc := range docs {
			m := map[string]any{}
			j, err := yaml.YAMLToJSON(doc)
			if err == nil {
				err = utiljson.Unmarshal(j, &m)
			}
			if err != nil {
				t.Errorf("%s: cannot parse document %d: %v", path, i, err)
				continue
			}
			u := &unstructured.Unstructured{Object: m}
			gvk := u.GroupVersionKind()
			if !kinds[gvk] {
				continue
			}
			seen[gvk]++
			abs, err := filepath.Abs(path)
			if err != nil {
				return err
			}
			validated[abs] = true
			t.Run(rel+"/"+u.GetName(), func(t *testing.T) {
				if err := v.Validate(m); err != nil {
					t.Errorf("%s document %d (%s) is not accepted by its XRD:\n%v", path, i, gvk.Kind, err)
				}
				// Read at every other version, as Crossplane reads it
				// at the referenceable one, it is valid and loses no
				// field: an unknown field would be an error here,
				// and pruned by the API server.
				for _, ver := range xrdVersions {
					if ver == gvk.Version {
						continue
					}
					at := u.DeepCopy()
					at.SetAPIVersion(gvk.Group + "/" + ver)
					if err := v.Validate(at.Object); err != nil {
						t.Errorf("%s document %d (%s) read at %s is not valid or loses fields:\n%v", path, i, gvk.Kind, ver, err)
					}
				}
			})
		}
		return nil
	})
	if err != nil {
		t.Fatalf("cannot walk %s: %v", exampleDir, err)
	}

	total := 0
	for _, n := range seen {
		total += n
	}
	t.Logf("validated %d example XRs and claims: %v", total, seen)
	if total < minExampleXRs {
		t.Errorf("found %d example XRs and claims under %s, want at least %d", total, exampleDir, minExampleXRs)
	}
	// Every kind has an example at the referenceable version, and the
	// namespaced XR one at v1alpha1, which shows what only v1alpha1 has.
	for _, gvk := range []schema.GroupVersionKind{xrGVK, legacyXRGVK, claimGVK, atVersion(xrGVK, "v1alpha1")} {
		if seen[gvk] == 0 {
			t.Errorf("no example of %s under %s", gvk, exampleDir)
		}
	}

	// Every XR the harnesses render and compose (the rule of the root
	// module's internal/examples) must be one checked here: an xr.yaml
	// of a kind no example XRD serves would be skipped above.
	all, err := examples.List(filepath.Join(exampleDir, ".."))
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range all {
		if !validated[ex.XR] {
			t.Errorf("example %s: %s holds no XR of a kind the example XRDs serve, so nothing validated it", ex.Name, ex.XR)
		}
	}
}

// One valid object of each kind the example XRDs define. The cases of
// TestXRDRejects change their spec, which is the same for all three.
const (
	xrdXR = `
apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata:
  name: m
  namespace: default
spec:
  model:
    uri: hf://org/model
`
	xrdLegacyXR = `
apiVersion: serving.example.org/v1alpha2
kind: XLLMInferenceService
metadata:
  name: m-x7k2p
spec:
  claimRef:
    apiVersion: serving.example.org/v1alpha2
    kind: LLMInferenceService
    name: m
    namespace: default
  model:
    uri: hf://org/model
`
	xrdClaim = `
apiVersion: serving.example.org/v1alpha2
kind: LLMInferenceService
metadata:
  name: m
  namespace: default
spec:
  model:
    uri: hf://org/model
`
)

// gatewayRouteSchema is the embedded spec of a Gateway API HTTPRoute. Its CEL
// rules are Gateway API's own, copied with the schema; Gateway API tests
// them, so TestXRDRejects checks a few to show they apply, not all.
const gatewayRouteSchema = "spec.router.route.http.spec"

// groupBackendSchema is a route group member's backend in the status: a
// Gateway API BackendObjectReference, with Gateway API's rule on it, which
// Validate cannot reach (it resets the status, as the API server does on
// create); TestValidateStatus checks it (GroupMemberServiceWithoutPort).
const groupBackendSchema = "status.router.group.members[].backendRef"

func inGatewayRoute(path string) bool {
	return path == gatewayRouteSchema || strings.HasPrefix(path, gatewayRouteSchema+".") || strings.HasPrefix(path, gatewayRouteSchema+"[") ||
		path == groupBackendSchema
}

// celRule is an x-kubernetes-validations rule: the schema path it is on, with
// [] for any list index or map key, and its message.
type celRule struct {
	path, message string
}

// celRules lists the rules of a schema and everything under it.
func celRules(s *apiextensionsv1.JSONSchemaProps, path string) []celRule {
	var out []celRule
	for _, r := range s.XValidations {
		out = append(out, celRule{path: path, message: r.Message})
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	for k, p := range s.Properties {
		out = append(out, celRules(&p, join(k))...)
	}
	if s.Items != nil && s.Items.Schema != nil {
		out = append(out, celRules(s.Items.Schema, path+"[]")...)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		out = append(out, celRules(s.AdditionalProperties.Schema, path+"[]")...)
	}
	return out
}

var indexOrKey = regexp.MustCompile(`\[[^\]]*\]`)

// firedRules are the rules whose errors are in errs.
func firedRules(errs field.ErrorList) []celRule {
	var out []celRule
	for _, e := range errs {
		if e.Type == field.ErrorTypeInvalid {
			out = append(out, celRule{path: indexOrKey.ReplaceAllString(e.Field, "[]"), message: e.Detail})
		}
	}
	return out
}

func TestXRDRejects(t *testing.T) {
	workers := map[string]any{"containers": []any{map[string]any{"name": "main"}}}
	cases := map[string]xrdRejectsCase{
		"Valid": {
			reason: "The objects the other cases break are valid.",
		},

		// KServe's webhook rules, as CEL.
		"RouteRefsWithInlineSpec": {
			reason: "Custom HTTPRoute refs and an inline route spec exclude each other.",
			mutations: []mutation{set("spec.router", map[string]any{
				"gateway": map[string]any{"refs": []any{map[string]any{"name": "g"}}},
				"route":   map[string]any{"http": map[string]any{"refs": []any{map[string]any{"name": "r"}}, "spec": map[string]any{}}},
			})},
			errs:     []string{"Invalid spec.router.route.http"},
			contains: "cannot use both custom HTTPRoute refs",
		},
		"RouteRefsWithManagedGateway": {
			reason: "Custom HTTPRoutes can't attach to the Gateway the function manages.",
			mutations: []mutation{set("spec.router", map[string]any{
				"gateway": map[string]any{},
				"route":   map[string]any{"http": map[string]any{"refs": []any{map[string]any{"name": "r"}}}},
			})},
			errs:     []string{"Invalid spec.router"},
			contains: "cannot be used with a managed gateway",
		},
		"SchedulerConfigInlineAndRef": {
			reason:    "The scheduler config is inline or a ConfigMap ref, not both.",
			mutations: []mutation{set("spec.router.scheduler.config", map[string]any{"inline": map[string]any{"a": "b"}, "ref": map[string]any{"name": "c", "key": "k"}})},
			errs:      []string{"Invalid spec.router.scheduler.config"},
			contains:  "either inline or ref is required, not both",
		},
		"SchedulerConfigNeither": {
			reason:    "An empty scheduler config is neither inline nor a ref.",
			mutations: []mutation{set("spec.router.scheduler.config", map[string]any{})},
			errs:      []string{"Invalid spec.router.scheduler.config"},
			contains:  "either inline or ref is required",
		},
		"SchedulerPoolSpecAndRef": {
			reason:    "The scheduler pool is managed (spec) or existing (ref), not both.",
			mutations: []mutation{set("spec.router.scheduler.pool", map[string]any{"spec": map[string]any{"selector": map[string]any{"a": "b"}}, "ref": map[string]any{"name": "p"}})},
			errs:      []string{"Invalid spec.router.scheduler.pool"},
			contains:  "spec and ref are mutually exclusive",
		},
		"DataWithoutDataLocal": {
			reason:    "Data parallelism needs its per-node share.",
			mutations: []mutation{set("spec.parallelism", map[string]any{"data": 4})},
			errs:      []string{"Invalid spec.parallelism"},
			contains:  "dataLocal must be set when data is set",
		},
		"DataLocalWithoutData": {
			reason:    "The per-node share of data parallelism needs its total.",
			mutations: []mutation{set("spec.parallelism", map[string]any{"dataLocal": 2})},
			errs:      []string{"Invalid spec.parallelism"},
			contains:  "data must be set when dataLocal is set",
		},
		"PipelineAndData": {
			reason:    "Pipeline and data parallelism exclude each other.",
			mutations: []mutation{set("spec.parallelism", map[string]any{"pipeline": 2, "data": 4, "dataLocal": 2})},
			errs:      []string{"Invalid spec.parallelism"},
			contains:  "cannot set both pipeline parallelism and data parallelism",
		},
		"WorkerWithoutParallelism": {
			reason:    "Worker pods only make sense with data or pipeline parallelism.",
			mutations: []mutation{set("spec.worker", workers)},
			errs:      []string{"Invalid spec"},
			contains:  "when worker is specified, parallelism must be configured",
		},
		"WorkerWithTensorParallelismOnly": {
			reason:    "Tensor parallelism alone runs in one pod, so workers still need data or pipeline parallelism.",
			mutations: []mutation{set("spec.worker", workers), set("spec.parallelism", map[string]any{"tensor": 2})},
			errs:      []string{"Invalid spec"},
			contains:  "when worker is specified, parallelism must be configured",
		},
		"PrefillDataWithoutDataLocal": {
			reason:    "The prefill pool's parallelism has the same rules.",
			mutations: []mutation{set("spec.prefill.parallelism", map[string]any{"data": 4})},
			errs:      []string{"Invalid spec.prefill.parallelism"},
			contains:  "dataLocal must be set when data is set",
		},
		"PrefillDataLocalWithoutData": {
			reason:    "The prefill pool's parallelism has the same rules.",
			mutations: []mutation{set("spec.prefill.parallelism", map[string]any{"dataLocal": 2})},
			errs:      []string{"Invalid spec.prefill.parallelism"},
			contains:  "data must be set when dataLocal is set",
		},
		"PrefillPipelineAndData": {
			reason:    "The prefill pool's parallelism has the same rules.",
			mutations: []mutation{set("spec.prefill.parallelism", map[string]any{"pipeline": 2, "data": 4, "dataLocal": 2})},
			errs:      []string{"Invalid spec.prefill.parallelism"},
			contains:  "cannot set both pipeline parallelism and data parallelism",
		},
		"PrefillWorkerWithoutParallelism": {
			reason:    "Prefill workers need prefill parallelism.",
			mutations: []mutation{set("spec.prefill.worker", workers)},
			errs:      []string{"Invalid spec.prefill"},
			contains:  "when prefill.worker is specified, prefill.parallelism must be configured",
		},
		"DuplicateAdapterNames": {
			reason: "LoRA adapters are served by name, so names are unique.",
			mutations: []mutation{set("spec.model.lora.adapters", []any{
				map[string]any{"name": "sql", "uri": "hf://org/a"},
				map[string]any{"name": "sql", "uri": "hf://org/b"},
			})},
			errs:     []string{"Invalid spec.model.lora.adapters"},
			contains: "adapter names must be unique",
		},

		// spec.scaling: KServe's CEL rules.
		"ScalingValid": {
			reason: "WVA with KEDA scaling to zero when idle, and direct KEDA for prefill.",
			mutations: []mutation{
				set("spec.scaling", map[string]any{"maxReplicas": 4, "wva": map[string]any{"variantCost": "2.5", "keda": map[string]any{"idleReplicaCount": 0, "fallback": map[string]any{"failureThreshold": 3, "replicas": 1}}}}),
				set("spec.prefill.scaling", map[string]any{"minReplicas": 2, "maxReplicas": 4, "keda": map[string]any{"idleReplicaCount": 1, "triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}}),
			},
		},
		"ScalingWithReplicas": {
			reason:    "An autoscaled workload has no fixed replica count.",
			mutations: []mutation{set("spec.replicas", 2), set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}}})},
			errs:      []string{"Invalid spec"},
			contains:  "replicas and scaling are mutually exclusive",
		},
		"PrefillScalingWithReplicas": {
			reason:    "The prefill workload has the same rule.",
			mutations: []mutation{set("spec.prefill.replicas", 2), set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}}})},
			errs:      []string{"Invalid spec.prefill"},
			contains:  "replicas and scaling are mutually exclusive",
		},
		"ScalingNoMode": {
			reason:    "Scaling names its autoscaler.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2})},
			errs:      []string{"Invalid spec.scaling"},
			contains:  "either wva or keda must be specified",
		},
		"ScalingBothModes": {
			reason:    "WVA and direct KEDA exclude each other.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}}, "keda": map[string]any{"triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}})},
			errs:      []string{"Invalid spec.scaling"},
			contains:  "wva and keda are mutually exclusive",
		},
		"ScalingMinAboveMax": {
			reason:    "The floor is below the ceiling.",
			mutations: []mutation{set("spec.scaling", map[string]any{"minReplicas": 3, "maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}}})},
			errs:      []string{"Invalid spec.scaling"},
			contains:  "minReplicas cannot exceed maxReplicas",
		},
		"ScalingWVAIdleNotBelowMin": {
			reason:    "The idle count is below minReplicas (which defaults to 1).",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{"idleReplicaCount": 1}}})},
			errs:      []string{"Invalid spec.scaling"},
			contains:  "idleReplicaCount must be less than minReplicas",
		},
		"ScalingKEDAIdleNotBelowMin": {
			reason:    "The same for direct KEDA.",
			mutations: []mutation{set("spec.scaling", map[string]any{"minReplicas": 2, "maxReplicas": 3, "keda": map[string]any{"idleReplicaCount": 2, "triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}})},
			errs:      []string{"Invalid spec.scaling"},
			contains:  "idleReplicaCount must be less than minReplicas",
		},
		"ScalingWVANoActuator": {
			reason:    "WVA needs an actuator.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{}})},
			errs:      []string{"Invalid spec.scaling.wva"},
			contains:  "either hpa or keda must be specified as the actuator backend",
		},
		"ScalingWVABothActuators": {
			reason:    "WVA has one actuator.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}, "keda": map[string]any{}}})},
			errs:      []string{"Invalid spec.scaling.wva"},
			contains:  "hpa and keda are mutually exclusive",
		},
		"ScalingWVAScalingModifiers": {
			reason:    "WVA owns the scaling formula.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{"advanced": map[string]any{"scalingModifiers": map[string]any{"formula": "a"}}}}})},
			errs:      []string{"Invalid spec.scaling.wva"},
			contains:  "scalingModifiers must not be set",
		},
		"ScalingKEDAHPAName": {
			reason:    "KEDA names its HPA after the ScaledObject.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "keda": map[string]any{"advanced": map[string]any{"horizontalPodAutoscalerConfig": map[string]any{"name": "x"}}, "triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}})},
			errs:      []string{"Invalid spec.scaling.keda"},
			contains:  "horizontalPodAutoscalerConfig.name must not be set",
		},
		"ScalingWVAKEDAHPAName": {
			reason:    "The same under WVA.",
			mutations: []mutation{set("spec.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{"advanced": map[string]any{"horizontalPodAutoscalerConfig": map[string]any{"name": "x"}}}}})},
			errs:      []string{"Invalid spec.scaling.wva.keda"},
			contains:  "horizontalPodAutoscalerConfig.name must not be set",
		},

		"PrefillScalingNoMode": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2})},
			errs:      []string{"Invalid spec.prefill.scaling"},
			contains:  "either wva or keda must be specified",
		},
		"PrefillScalingBothModes": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}}, "keda": map[string]any{"triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}})},
			errs:      []string{"Invalid spec.prefill.scaling"},
			contains:  "wva and keda are mutually exclusive",
		},
		"PrefillScalingMinAboveMax": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"minReplicas": 3, "maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}}})},
			errs:      []string{"Invalid spec.prefill.scaling"},
			contains:  "minReplicas cannot exceed maxReplicas",
		},
		"PrefillScalingWVAIdleNotBelowMin": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{"idleReplicaCount": 1}}})},
			errs:      []string{"Invalid spec.prefill.scaling"},
			contains:  "idleReplicaCount must be less than minReplicas",
		},
		"PrefillScalingKEDAIdleNotBelowMin": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"minReplicas": 2, "maxReplicas": 3, "keda": map[string]any{"idleReplicaCount": 2, "triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}})},
			errs:      []string{"Invalid spec.prefill.scaling"},
			contains:  "idleReplicaCount must be less than minReplicas",
		},
		"PrefillScalingWVANoActuator": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{}})},
			errs:      []string{"Invalid spec.prefill.scaling.wva"},
			contains:  "either hpa or keda must be specified as the actuator backend",
		},
		"PrefillScalingWVABothActuators": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"hpa": map[string]any{}, "keda": map[string]any{}}})},
			errs:      []string{"Invalid spec.prefill.scaling.wva"},
			contains:  "hpa and keda are mutually exclusive",
		},
		"PrefillScalingWVAScalingModifiers": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{"advanced": map[string]any{"scalingModifiers": map[string]any{"formula": "a"}}}}})},
			errs:      []string{"Invalid spec.prefill.scaling.wva"},
			contains:  "scalingModifiers must not be set",
		},
		"PrefillScalingKEDAHPAName": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "keda": map[string]any{"advanced": map[string]any{"horizontalPodAutoscalerConfig": map[string]any{"name": "x"}}, "triggers": []any{map[string]any{"type": "cpu", "metadata": map[string]any{"value": "50"}}}}})},
			errs:      []string{"Invalid spec.prefill.scaling.keda"},
			contains:  "horizontalPodAutoscalerConfig.name must not be set",
		},
		"PrefillScalingWVAKEDAHPAName": {
			reason:    "The prefill workload's scaling has the same rules.",
			mutations: []mutation{set("spec.prefill.scaling", map[string]any{"maxReplicas": 2, "wva": map[string]any{"keda": map[string]any{"advanced": map[string]any{"horizontalPodAutoscalerConfig": map[string]any{"name": "x"}}}}})},
			errs:      []string{"Invalid spec.prefill.scaling.wva.keda"},
			contains:  "horizontalPodAutoscalerConfig.name must not be set",
		},

		// The pool spec in both versions' shapes: one setting in one
		// shape only, and Gateway API Inference Extension v1's rules.
		"PoolSpecBothVersionsShapes": {
			reason: "Both versions take the pool spec in either shape: a flat selector (kept although the schema does not declare its keys) or matchLabels, and the rest.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec", map[string]any{
				"selector": map[string]any{"app": "m"}, "targetPortNumber": 8000,
				"extensionRef": map[string]any{"name": "e", "portNumber": 9002, "failureMode": "FailClose"},
			})},
		},
		"PoolSpecV1Shape": {
			reason: "The v1 shape of the pool spec.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec", map[string]any{
				"selector": map[string]any{"matchLabels": map[string]any{"app": "m"}}, "targetPorts": []any{map[string]any{"number": 8000}},
				"appProtocol": "kubernetes.io/h2c", "endpointPickerRef": map[string]any{"name": "e", "port": map[string]any{"number": 9002}},
			})},
		},
		"PoolTargetPortBothShapes": {
			reason:    "targetPortNumber and targetPorts are one setting in two shapes.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec", map[string]any{"targetPortNumber": 8000, "targetPorts": []any{map[string]any{"number": 8000}}})},
			errs:      []string{"Invalid spec.router.scheduler.pool.spec"},
			contains:  "targetPortNumber (the v1alpha1 shape) and targetPorts (the v1alpha2 shape) are the same setting",
		},
		"PoolPickerRefBothShapes": {
			reason: "extensionRef and endpointPickerRef are one setting in two shapes.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec", map[string]any{
				"extensionRef": map[string]any{"name": "e"}, "endpointPickerRef": map[string]any{"name": "e", "port": map[string]any{"number": 9002}},
			})},
			errs:     []string{"Invalid spec.router.scheduler.pool.spec"},
			contains: "extensionRef (the v1alpha1 shape) and endpointPickerRef (the v1alpha2 shape) are the same setting",
		},
		"PoolPickerRefServiceWithoutPort": {
			reason:    "Gateway API Inference Extension's rule: a Service picker names its port.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec.endpointPickerRef", map[string]any{"name": "e"})},
			errs:      []string{"Invalid spec.router.scheduler.pool.spec.endpointPickerRef"},
			contains:  "port is required when kind is 'Service' or unspecified",
		},
		"PoolPickerRefOtherKindWithoutPort": {
			reason:    "A picker of another kind may leave its port to the referent.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec.endpointPickerRef", map[string]any{"group": "example.com", "kind": "Backend", "name": "e"})},
		},
		"PoolTargetPortsNotUnique": {
			reason:    "Gateway API Inference Extension's rule: target ports are distinct.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec.targetPorts", []any{map[string]any{"number": 8000}, map[string]any{"number": 8000}})},
			errs:      []string{"Invalid spec.router.scheduler.pool.spec.targetPorts"},
			contains:  "port number must be unique",
		},
		"PoolMatchLabelsEmpty": {
			reason:    "matchLabels selects by at least one label.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec.selector.matchLabels", map[string]any{})},
			errs:      []string{"Invalid spec.router.scheduler.pool.spec.selector.matchLabels"},
			contains:  "should have at least 1 properties",
		},

		// The criticality fields, which v1alpha2 dropped, and the fields
		// v1alpha2 added: each version takes both.
		"BothVersionsFields": {
			reason: "Both versions take v1alpha1's criticality and v1alpha2's kvCacheOffloading and confidential, so neither is pruned when read at the other.",
			mutations: []mutation{
				set("spec.model.criticality", "Critical"),
				set("spec.model.lora.adapters", []any{map[string]any{"name": "a", "uri": "hf://o/a", "criticality": "Sheddable"}}),
				set("spec.model.confidential", map[string]any{"enabled": true, "resourceId": "kbs:///default/key/m"}),
				set("spec.kvCacheOffloading", map[string]any{"cpu": "10Gi", "evictionPolicy": "arc", "secondary": []any{
					map[string]any{"fileSystem": map[string]any{"emptyDir": map[string]any{"size": "100Gi"}}},
					map[string]any{"fileSystem": map[string]any{"pvc": map[string]any{"ref": map[string]any{"name": "c", "path": "kv"}}}},
					map[string]any{"fileSystem": map[string]any{"pvc": map[string]any{"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"}}}}},
				}}),
				set("spec.prefill.kvCacheOffloading", map[string]any{"cpu": "1Gi"}),
			},
		},
		"Tracing": {
			reason: "Both versions take tracing, each field a string.",
			mutations: []mutation{set("spec.tracing", map[string]any{
				"exporterEndpoint": "http://otel-collector.observability:4317", "sampler": "traceidratio", "samplerArg": "0.1", "exporter": "otlp",
			})},
		},
		"TracingSamplerArgNotAString": {
			reason:    "samplerArg is a string, as KServe types it: a bare number is refused.",
			mutations: []mutation{set("spec.tracing.samplerArg", 0.1)},
			errs:      []string{"Invalid <nil>", "TypeInvalid spec.tracing.samplerArg"},
		},
		"KVCacheTierWithoutFileSystem": {
			reason:    "A secondary tier is a file system.",
			mutations: []mutation{set("spec.kvCacheOffloading", map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{}}})},
			errs:      []string{"Invalid spec.kvCacheOffloading.secondary[0]"},
			contains:  "fileSystem is required",
		},
		"KVCacheTierEmptyDirAndPVC": {
			reason: "A file system tier is an emptyDir or a claim.",
			mutations: []mutation{set("spec.kvCacheOffloading", map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{"fileSystem": map[string]any{
				"emptyDir": map[string]any{"size": "1Gi"}, "pvc": map[string]any{"ref": map[string]any{"name": "c"}},
			}}}})},
			errs:     []string{"Invalid spec.kvCacheOffloading.secondary[0].fileSystem"},
			contains: "exactly one of emptyDir and pvc is required",
		},
		"KVCachePVCSpecAndRef": {
			reason: "A claim tier is a claim per pod or an existing one.",
			mutations: []mutation{set("spec.kvCacheOffloading", map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{"fileSystem": map[string]any{
				"pvc": map[string]any{},
			}}}})},
			errs:     []string{"Invalid spec.kvCacheOffloading.secondary[0].fileSystem.pvc"},
			contains: "exactly one of spec and ref is required",
		},
		"PrefillKVCacheTierWithoutFileSystem": {
			reason:    "The prefill workload's tiers have the same rules.",
			mutations: []mutation{set("spec.prefill.kvCacheOffloading", map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{}}})},
			errs:      []string{"Invalid spec.prefill.kvCacheOffloading.secondary[0]"},
			contains:  "fileSystem is required",
		},
		"PrefillKVCacheTierNeither": {
			reason:    "The prefill workload's tiers have the same rules.",
			mutations: []mutation{set("spec.prefill.kvCacheOffloading", map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{"fileSystem": map[string]any{}}}})},
			errs:      []string{"Invalid spec.prefill.kvCacheOffloading.secondary[0].fileSystem"},
			contains:  "exactly one of emptyDir and pvc is required",
		},
		"PrefillKVCachePVCSpecAndRef": {
			reason: "The prefill workload's tiers have the same rules.",
			mutations: []mutation{set("spec.prefill.kvCacheOffloading", map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{"fileSystem": map[string]any{
				"pvc": map[string]any{"spec": map[string]any{}, "ref": map[string]any{"name": "c"}},
			}}}})},
			errs:     []string{"Invalid spec.prefill.kvCacheOffloading.secondary[0].fileSystem.pvc"},
			contains: "exactly one of spec and ref is required",
		},
		"KVCacheWithoutCPU": {
			reason:    "The CPU tier is required.",
			mutations: []mutation{set("spec.kvCacheOffloading", map[string]any{"evictionPolicy": "lru"})},
			errs:      []string{"Invalid <nil>", "Required spec.kvCacheOffloading.cpu"},
		},
		"ConfidentialBadResourceID": {
			reason:    "The decryption key is a Key Broker Service resource.",
			mutations: []mutation{set("spec.model.confidential", map[string]any{"enabled": true, "resourceId": "key"})},
			errs:      []string{"Invalid spec.model.confidential.resourceId"},
			contains:  "should match",
		},

		// OpenAPI.
		"NegativeReplicas": {
			reason:    "replicas has a minimum of 0.",
			mutations: []mutation{set("spec.replicas", -1)},
			errs:      []string{"Invalid spec.replicas"},
			contains:  "should be greater than or equal to 0",
		},
		"ZeroTensorParallelism": {
			reason:    "Parallelism degrees are at least 1.",
			mutations: []mutation{set("spec.parallelism.tensor", 0)},
			errs:      []string{"Invalid spec.parallelism.tensor"},
			contains:  "should be greater than or equal to 1",
		},
		"LoRARankNotVLLMs": {
			reason:    "vLLM takes only its listed LoRA ranks and exits on any other.",
			mutations: []mutation{set("spec.model.lora.maxRank", 24)},
			errs:      []string{"Invalid <nil>", "NotSupported spec.model.lora.maxRank"},
			contains:  `supported values: "1", "8", "16", "32", "64", "128", "256", "320", "512"`,
		},
		"MissingModelURI": {
			reason:    "The model's URI is required; the CEL rules are not run on an object missing required fields.",
			mutations: []mutation{unset("spec.model.uri")},
			errs:      []string{"Invalid <nil>", "Required spec.model.uri"},
			contains:  "spec.model.uri: Required value",
		},
		"UnknownSpecField": {
			reason:    "A typo in spec is an unknown field, which a strict create or server-side apply rejects.",
			mutations: []mutation{rename("spec.model", "modle")}, //nolint:misspell // "modle" is the deliberate typo this case tests.
			errs:      []string{"Forbidden spec.modle", "Invalid <nil>", "Required spec.model"},
			contains:  "spec.modle: Forbidden: unknown field",
		},
		"UnknownNestedField": {
			reason:    "Unknown fields are found deep in the spec.",
			mutations: []mutation{set("spec.router.scheduler.pool.spec.selectr", map[string]any{"a": "b"})},
			errs:      []string{"Forbidden spec.router.scheduler.pool.spec.selectr"},
			contains:  "unknown field",
		},
		"NameTooLong": {
			reason:    "Crossplane limits XR and claim names to 63 characters, as they become label values.",
			mutations: []mutation{set("metadata.name", strings.Repeat("a", 64))},
			errs:      []string{"Invalid <nil>", "TooLong metadata.name"},
			contains:  "may not be more than 63",
		},

		// Gateway API's HTTPRoute rules apply to the inline route spec.
		"RoutePathNotAbsolute": {
			reason: "Gateway API's path rules apply to the inline route.",
			mutations: []mutation{set("spec.router.route.http.spec.rules", []any{map[string]any{
				"matches": []any{map[string]any{"path": map[string]any{"type": "PathPrefix", "value": "v1"}}},
			}})},
			errs:     []string{"Invalid spec.router.route.http.spec.rules[0].matches[0].path"},
			contains: "value must be an absolute path",
		},
		"RouteServiceBackendWithoutPort": {
			reason: "Gateway API's backendRef rules apply to the inline route: a Service backend needs a port.",
			mutations: []mutation{set("spec.router.route.http.spec.rules", []any{map[string]any{
				"backendRefs": []any{map[string]any{"name": "svc"}},
			}})},
			errs:     []string{"Invalid spec.router.route.http.spec.rules[0].backendRefs[0]"},
			contains: "Must have port for Service reference",
		},
	}

	v := xrdValidator(t)
	crds := exampleXRDCRDs(t)
	kinds := map[string]struct {
		base string
		crd  *apiextensionsv1.CustomResourceDefinition
	}{
		"XR":       {base: xrdXR, crd: crds[0]},
		"LegacyXR": {base: xrdLegacyXR, crd: crds[1]},
		"Claim":    {base: xrdClaim, crd: crds[2]},
	}
	// Every case at every version: both share one schema, so each
	// version refuses what the other does.
	for kindName, k := range kinds {
		for vi, version := range xrdVersions {
			t.Run(kindName+"/"+version, func(t *testing.T) {
				base := obj(t, k.base)
				gv := strings.Split(base["apiVersion"].(string), "/")[0] + "/" + version
				testXRDRejects(t, v, k.base, set("apiVersion", gv), &k.crd.Spec.Versions[vi], cases)
			})
		}
	}
}

// xrdRejectsCase is a case of TestXRDRejects.
type xrdRejectsCase struct {
	reason    string
	mutations []mutation
	// errs are the expected errorKeys, contains a substring of the
	// error each case is about.
	errs     []string
	contains string
}

// testXRDRejects runs the cases on base at one version of its CRD, whose
// every CEL rule outside the embedded HTTPRoute some case must break.
func testXRDRejects(t *testing.T, v *Validator, base string, version mutation, crdVersion *apiextensionsv1.CustomResourceDefinitionVersion, cases map[string]xrdRejectsCase) {
	t.Helper()
	fired := map[celRule]bool{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := v.Validate(obj(t, base, append([]mutation{version}, tc.mutations...)...))
			errs := FieldErrors(err)
			if err != nil && errs == nil {
				t.Fatalf("%s\nValidate(...): want nil or field errors, got %v", tc.reason, err)
			}
			for _, r := range firedRules(errs) {
				fired[r] = true
			}
			if diff := cmp.Diff(tc.errs, errorKeys(errs), cmpEmpty); diff != "" {
				t.Errorf("%s\nValidate(...): -want errors, +got errors:\n%s\nfull error: %v", tc.reason, diff, err)
			}
			if tc.contains != "" && (err == nil || !strings.Contains(err.Error(), tc.contains)) {
				t.Errorf("%s\nValidate(...): want an error containing %q, got %v", tc.reason, tc.contains, err)
			}
		})
	}

	// Every rule of the XRD outside the embedded HTTPRoute must have been
	// hit by a case, so a rule added to the Go types needs a case here.
	rules := celRules(crdVersion.Schema.OpenAPIV3Schema, "")
	sort.Slice(rules, func(i, j int) bool {
		return rules[i].path+rules[i].message < rules[j].path+rules[j].message
	})
	own, gateway := 0, 0
	for _, r := range rules {
		if inGatewayRoute(r.path) {
			gateway++
			continue
		}
		own++
		if !fired[r] {
			t.Errorf("no case of TestXRDRejects breaks the rule on %s: %q", r.path, r.message)
		}
	}
	t.Logf("%s: %d CEL rules of the XRD must be hit; %d of the embedded HTTPRoute are Gateway API's, two spot-checked", crdVersion.Name, own, gateway)
	if own == 0 || gateway == 0 {
		t.Errorf("found %d CEL rules of the XRD and %d of its HTTPRoute; the schema lost its rules", own, gateway)
	}
}

// TestXRDCrossplaneFields checks the fields Crossplane adds to XRs and
// claims, which the XRDs don't declare: objects with them, like
// example/legacy/xr.yaml with its claimRef, are valid, and each kind has its
// own set.
func TestXRDCrossplaneFields(t *testing.T) {
	cases := map[string]struct {
		reason string
		obj    map[string]any
		errs   []string
	}{
		"XRCrossplane": {
			reason: "A v2 XR takes Crossplane's fields under spec.crossplane.",
			obj: obj(t, xrdXR, set("spec.crossplane", map[string]any{
				"compositionRef":              map[string]any{"name": "c"},
				"compositionSelector":         map[string]any{"matchLabels": map[string]any{"a": "b"}},
				"compositionRevisionRef":      map[string]any{"name": "c-1"},
				"compositionRevisionSelector": map[string]any{"matchLabels": map[string]any{"channel": "stable"}},
				"compositionUpdatePolicy":     "Manual",
				"resourceRefs":                []any{map[string]any{"apiVersion": "v1", "kind": "Service", "name": "s"}},
			})),
		},
		"XRResourceRefNamespace": {
			reason: "A namespaced XR only composes in its namespace, so its resourceRefs have none.",
			obj:    obj(t, xrdXR, set("spec.crossplane.resourceRefs", []any{map[string]any{"apiVersion": "v1", "kind": "Service", "name": "s", "namespace": "x"}})),
			errs:   []string{"Forbidden spec.crossplane.resourceRefs[0].namespace"},
		},
		"XRLegacyField": {
			reason: "v2 XRs have no claims.",
			obj:    obj(t, xrdXR, set("spec.claimRef", map[string]any{"apiVersion": "a/v1", "kind": "K", "name": "n", "namespace": "ns"})),
			errs:   []string{"Forbidden spec.claimRef"},
		},
		"XRBadUpdatePolicy": {
			reason: "compositionUpdatePolicy is an enum.",
			obj:    obj(t, xrdXR, set("spec.crossplane.compositionUpdatePolicy", "Sometimes")),
			errs:   []string{"Invalid <nil>", "NotSupported spec.crossplane.compositionUpdatePolicy"},
		},
		"XRCompositionRefWithoutName": {
			reason: "A composition ref names a composition.",
			obj:    obj(t, xrdXR, set("spec.crossplane.compositionRef", map[string]any{})),
			errs:   []string{"Invalid <nil>", "Required spec.crossplane.compositionRef.name"},
		},
		"LegacyXRFields": {
			reason: "A legacy XR takes Crossplane's fields right under spec.",
			obj: obj(t, xrdLegacyXR,
				set("spec.compositionRef", map[string]any{"name": "c"}),
				set("spec.compositionUpdatePolicy", "Automatic"),
				set("spec.resourceRefs", []any{map[string]any{"apiVersion": "v1", "kind": "Service", "name": "s", "namespace": "team-a"}}),
				set("spec.writeConnectionSecretToRef", map[string]any{"name": "s", "namespace": "crossplane-system"}),
			),
		},
		"LegacyXRCrossplane": {
			reason: "A legacy XR has no spec.crossplane.",
			obj:    obj(t, xrdLegacyXR, set("spec.crossplane.compositionRef.name", "c")),
			errs:   []string{"Forbidden spec.crossplane"},
		},
		"LegacyXRClaimRefWithoutNamespace": {
			reason: "A claim ref names the claim's namespace.",
			obj:    obj(t, xrdLegacyXR, unset("spec.claimRef.namespace")),
			errs:   []string{"Invalid <nil>", "Required spec.claimRef.namespace"},
		},
		"ClaimFields": {
			reason: "A claim takes Crossplane's claim fields.",
			obj: obj(t, xrdClaim,
				set("spec.compositeDeletePolicy", "Foreground"),
				set("spec.compositionSelector.matchLabels.provider", "gke"),
				set("spec.resourceRef", map[string]any{"apiVersion": "serving.example.org/v1alpha2", "kind": "XLLMInferenceService", "name": "m-x7k2p"}),
				set("spec.writeConnectionSecretToRef.name", "s"),
			),
		},
		"ClaimBadDeletePolicy": {
			reason: "compositeDeletePolicy is an enum.",
			obj:    obj(t, xrdClaim, set("spec.compositeDeletePolicy", "Later")),
			errs:   []string{"Invalid <nil>", "NotSupported spec.compositeDeletePolicy"},
		},
		"ClaimXRFields": {
			reason: "A claim has neither an XR's claimRef nor spec.crossplane.",
			obj: obj(t, xrdClaim,
				set("spec.claimRef", map[string]any{"apiVersion": "a/v1", "kind": "K", "name": "n", "namespace": "ns"}),
				set("spec.crossplane", map[string]any{}),
			),
			errs: []string{"Forbidden spec.claimRef", "Forbidden spec.crossplane"},
		},
		"StatusConditionsAreNotValidated": {
			reason: "Status is reset on create, so only unknown status fields fail.",
			obj:    obj(t, xrdXR, set("status.conditions", []any{map[string]any{"type": "Ready"}}), set("status.bogus", true)),
			errs:   []string{"Forbidden status.bogus"},
		},
	}
	v := xrdValidator(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := v.Validate(tc.obj)
			if diff := cmp.Diff(tc.errs, errorKeys(FieldErrors(err)), cmpEmpty); diff != "" {
				t.Errorf("%s\nValidate(...): -want errors, +got errors:\n%s\nfull error: %v", tc.reason, diff, err)
			}
		})
	}
}
