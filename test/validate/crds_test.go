package validate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// widgetCRD stands in for a CRD generated from an XRD: preserved and
// embedded fields, a default, an enum and a CEL rule.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.org
spec:
  group: example.org
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources:
      status: {}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion:
            type: string
          kind:
            type: string
          metadata:
            type: object
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - rule: self.mode != 'slow' || self.size < 10
              message: slow widgets are small
            properties:
              size:
                type: integer
                minimum: 1
              mode:
                type: string
                default: fast
                enum: [fast, slow]
              crossplane:
                type: object
                x-kubernetes-preserve-unknown-fields: true
              template:
                type: object
                x-kubernetes-embedded-resource: true
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`

const widget = `
apiVersion: example.org/v1alpha1
kind: Widget
metadata:
  name: w
  namespace: default
spec:
  size: 20
  crossplane:
    compositionRef:
      name: anything-goes-here
  template:
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cm
    data:
      a: b
`

// widgetCases are cases of TestWithCRD, also used by TestAgainstAPIServer.
func widgetCases(t *testing.T) map[string]validateCase {
	t.Helper()
	return map[string]validateCase{
		"Valid": {
			reason: "A Widget passes: preserved fields keep anything, and mode defaults to fast before the CEL rule runs.",
			obj:    obj(t, widget),
		},
		"UnknownField": {
			reason: "Fields outside the schema are reported.",
			obj:    obj(t, widget, set("spec.colour", "blue")),
			want:   want{errs: []string{"Forbidden spec.colour"}},
		},
		"CELRule": {
			reason: "The CEL rule of the CRD applies.",
			obj:    obj(t, widget, set("spec.mode", "slow")),
			want:   want{errs: []string{"Invalid spec"}},
		},
		"Enum": {
			reason: "The enum of the CRD applies.",
			obj:    obj(t, widget, set("spec.mode", "medium")),
			want:   want{errs: []string{"Invalid <nil>", "NotSupported spec.mode"}},
		},
		"Minimum": {
			reason: "The minimum of the CRD applies.",
			obj:    obj(t, widget, set("spec.size", int64(0))),
			want:   want{errs: []string{"Invalid spec.size"}},
		},
		"EmbeddedResourceNeedsKind": {
			reason: "An x-kubernetes-embedded-resource needs apiVersion and kind.",
			obj:    obj(t, widget, unset("spec.template.kind")),
			want:   want{errs: []string{"Invalid <nil>", "Required spec.template.kind"}},
		},
		"EmbeddedResourceUnknownMetadata": {
			reason: "Unknown metadata fields of an embedded resource are reported, even under x-kubernetes-preserve-unknown-fields.",
			obj:    obj(t, widget, set("spec.template.metadata.bogus", "x")),
			want:   want{errs: []string{"Forbidden spec.template.metadata.bogus"}},
		},
	}
}

func TestWithCRD(t *testing.T) {
	v, err := NewValidator(WithCRD([]byte(widgetCRD)))
	if err != nil {
		t.Fatalf("NewValidator(WithCRD(...)): %v", err)
	}
	for name, tc := range widgetCases(t) {
		t.Run(name, func(t *testing.T) {
			err := v.Validate(tc.obj)
			if diff := cmp.Diff(tc.want.errs, errorKeys(FieldErrors(err)), cmpEmpty); diff != "" {
				t.Errorf("%s\nValidate(...): -want, +got:\n%s\nfull error: %v", tc.reason, diff, err)
			}
		})
	}

	t.Run("NotKnownByDefault", func(t *testing.T) {
		if err := validator(t).Validate(obj(t, widget)); !errors.Is(err, ErrNoSchema) {
			t.Errorf("Default().Validate(widget): want ErrNoSchema, got %v", err)
		}
	})
}

func TestWithCRDErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "widgets.yaml")
	if err := os.WriteFile(file, []byte(widgetCRD), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		reason  string
		opt     Option
		wantErr string
	}{
		"File": {
			reason: "A CRD file is read.",
			opt:    WithCRDFile(file),
		},
		"MissingFile": {
			reason:  "A missing CRD file is an error.",
			opt:     WithCRDFile(filepath.Join(dir, "missing.yaml")),
			wantErr: "cannot read CRD file",
		},
		"NotACRD": {
			reason:  "Anything but CRDs is an error.",
			opt:     WithCRD([]byte(configMap)),
			wantErr: "not a apiextensions.k8s.io/v1 CustomResourceDefinition",
		},
		"Empty": {
			reason:  "No CRD at all is an error.",
			opt:     WithCRD([]byte("---\n# nothing\n")),
			wantErr: "no CustomResourceDefinition",
		},
		"NotStructural": {
			reason:  "A CRD the API server would refuse is an error: a property without a type is not structural.",
			opt:     WithCRD([]byte(strings.Replace(widgetCRD, "                type: integer\n", "", 1))),
			wantErr: "invalid CRD \"widgets.example.org\"",
		},
		"BadCELRule": {
			reason:  "A CRD with a CEL rule that doesn't compile is an error.",
			opt:     WithCRD([]byte(strings.Replace(widgetCRD, "self.mode != 'slow'", "self.nope != 'slow'", 1))),
			wantErr: "compilation failed",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := NewValidator(tc.opt)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("%s\nNewValidator(...): %v", tc.reason, err)
				}
				if err := v.Validate(obj(t, widget)); err != nil {
					t.Errorf("%s\nValidate(widget): %v", tc.reason, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s\nNewValidator(...): want error containing %q, got %v", tc.reason, tc.wantErr, err)
			}
		})
	}
}

// TestDefaultCRDsAreValid checks every CRD we read from modules as the API
// server does when it is created, which compiles all their CEL rules in the
// CEL environment of this apiextensions-apiserver.
func TestDefaultCRDsAreValid(t *testing.T) {
	var mods []moduleVersion
	for _, s := range DefaultCRDSources() {
		mods = append(mods, moduleVersion{Path: s.Module, Version: s.Version})
	}
	dirs, err := moduleDirs(context.Background(), mods)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range DefaultCRDSources() {
		// As the Validator reads them: a transformed CRD must be valid too.
		crds, err := s.readCRDs(dirs[moduleVersion{Path: s.Module, Version: s.Version}])
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		for _, c := range crds {
			if err := validateCRD(context.Background(), c.CRD); err != nil {
				t.Errorf("%s: CRD %s: %v", s, c.CRD.Name, err)
			}
		}
	}
}

// TestEveryKindCompiles compiles the schema of every kind we know, so that a
// schema we can't handle is found here rather than in a golden test.
func TestEveryKindCompiles(t *testing.T) {
	v := validator(t)
	kinds, err := v.Kinds()
	if err != nil {
		t.Fatalf("Kinds(): %v", err)
	}
	for _, gvk := range kinds {
		k, err := v.lookup(gvk)
		if err != nil || k == nil {
			t.Errorf("lookup(%s): %v, %v", gvk, k, err)
			continue
		}
		if _, err := k.compile(); err != nil {
			t.Errorf("%v", err)
		}
	}

	// The kinds the function composes must be among them.
	for _, want := range []string{
		"apps/v1, Kind=Deployment",
		"/v1, Kind=Service",
		"/v1, Kind=ServiceAccount",
		"/v1, Kind=ConfigMap",
		"rbac.authorization.k8s.io/v1, Kind=Role",
		"rbac.authorization.k8s.io/v1, Kind=RoleBinding",
		"leaderworkerset.x-k8s.io/v1, Kind=LeaderWorkerSet",
		"gateway.networking.k8s.io/v1, Kind=Gateway",
		"gateway.networking.k8s.io/v1, Kind=HTTPRoute",
		"inference.networking.k8s.io/v1, Kind=InferencePool",
		"apiextensions.crossplane.io/v1beta1, Kind=EnvironmentConfig",
		"networking.istio.io/v1, Kind=DestinationRule",
		"networking.gke.io/v1, Kind=HealthCheckPolicy",
		"networking.gke.io/v1, Kind=GCPBackendPolicy",
		"llm-d.ai/v1alpha2, Kind=InferenceObjective",
		"autoscaling/v2, Kind=HorizontalPodAutoscaler",
		"keda.sh/v1alpha1, Kind=ScaledObject",
	} {
		found := false
		for _, gvk := range kinds {
			found = found || gvk.String() == want
		}
		if !found {
			t.Errorf("Kinds(): %s is missing", want)
		}
	}
}

func TestCRDSourceReadCRDs(t *testing.T) {
	// One file holding two CRDs, as Istio ships all of its CRDs.
	gadgetCRD := strings.NewReplacer("widgets", "gadgets", "Widget", "Gadget", "widget", "gadget").Replace(widgetCRD)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "all.yaml"), []byte(widgetCRD+"\n---\n"+gadgetCRD), 0o600); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		reason  string
		source  CRDSource
		want    []string
		wantErr string
	}{
		"AllOfAFile": {
			reason: "Without Names every CRD of a multi-document file is read, in file order.",
			source: CRDSource{Globs: []string{"all.yaml"}},
			want:   []string{"widgets.example.org example.org", "gadgets.example.org example.org"},
		},
		"Names": {
			reason: "Names keeps only the CRDs named.",
			source: CRDSource{Globs: []string{"all.yaml"}, Names: []string{"gadgets.example.org"}},
			want:   []string{"gadgets.example.org example.org"},
		},
		"MissingName": {
			reason:  "A name not found is an error, so that a renamed CRD can't silently drop a kind.",
			source:  CRDSource{Globs: []string{"all.yaml"}, Names: []string{"gadgets.example.org", "sprockets.example.org"}},
			wantErr: `no CRD named "sprockets.example.org"`,
		},
		"Regroup": {
			reason: "RegroupCRD moves a kind to another group, and renames the CRD to match.",
			source: CRDSource{Globs: []string{"all.yaml"}, Names: []string{"widgets.example.org"}, Transform: RegroupCRD("example.com")},
			want:   []string{"widgets.example.com example.com"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := tc.source.readCRDs(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("%s\nreadCRDs(...): want error containing %q, got %v", tc.reason, tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nreadCRDs(...): %v", tc.reason, err)
			}
			names := make([]string, 0, len(got))
			for _, c := range got {
				names = append(names, c.CRD.Name+" "+c.CRD.Spec.Group)
				if err := validateCRD(context.Background(), c.CRD); err != nil {
					t.Errorf("%s\nreadCRDs(...): CRD %s is not one the API server accepts: %v", tc.reason, c.CRD.Name, err)
				}
			}
			if diff := cmp.Diff(tc.want, names); diff != "" {
				t.Errorf("%s\nreadCRDs(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestInferenceObjectiveSource pins where the llm-d.ai InferenceObjective
// schema comes from: the inference extension's CRD, regrouped.
func TestInferenceObjectiveSource(t *testing.T) {
	src, err := validator(t).Source(schema.GroupVersionKind{Group: LLMDGroup, Version: "v1alpha2", Kind: "InferenceObjective"})
	if err != nil {
		t.Fatalf("Source(...): %v", err)
	}
	for _, want := range []string{"inferenceobjectives." + LLMDGroup, InferenceExtensionModule + "@" + InferenceObjectiveVersion} {
		if !strings.Contains(src, want) {
			t.Errorf("Source(...) = %q, want it to contain %q", src, want)
		}
	}
}
