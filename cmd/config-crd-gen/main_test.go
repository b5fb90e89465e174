package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"
)

// specSchema is a small spec with every part the relaxations name.
const specSchema = `
type: object
required: [model]
x-kubernetes-validations: [{rule: "!has(self.worker) || has(self.parallelism)"}]
properties:
  model:
    type: object
    required: [uri]
    properties:
      uri: {type: string, minLength: 1}
      criticality: {type: string, enum: [Critical, Standard]}
  parallelism:
    type: object
    x-kubernetes-validations: [{rule: "has(self.data) == has(self.dataLocal)"}]
    properties:
      tensor: {type: integer, minimum: 1}
  kvCacheOffloading:
    type: object
    required: [cpu]
    properties:
      cpu: {type: string, pattern: "^[0-9]+Gi$"}
  template: &pod
    type: object
    required: [containers]
    properties:
      containers:
        type: array
        minItems: 1
        items:
          type: object
          required: [name]
          properties:
            name: {type: string, minLength: 1}
            resources:
              type: object
              properties:
                limits:
                  type: object
                  additionalProperties: {type: string, pattern: "^[0-9]+$"}
  worker: *pod
  prefill:
    type: object
    properties:
      template: *pod
      worker: *pod
  router:
    type: object
    properties:
      route:
        type: object
        properties:
          http:
            type: object
            properties:
              spec:
                type: object
                properties:
                  parentRefs:
                    type: array
                    items:
                      type: object
                      x-kubernetes-validations: [{rule: "size(self.name) > 0"}]
                      properties:
                        namespace: {type: string, pattern: "^[a-z]+$", minLength: 1}
      scheduler:
        type: object
        properties:
          template: *pod
          pool:
            type: object
            properties:
              spec:
                type: object
                minProperties: 1
                properties:
                  targetPorts: {type: array, minItems: 1, items: {type: integer}}
`

func crdWith(t *testing.T, version, spec string) *extv1.CustomResourceDefinition {
	t.Helper()
	s := extv1.JSONSchemaProps{}
	if err := yaml.Unmarshal([]byte(spec), &s); err != nil {
		t.Fatal(err)
	}
	return &extv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "llminferenceservices.serving.kserve.io"},
		Spec: extv1.CustomResourceDefinitionSpec{Versions: []extv1.CustomResourceDefinitionVersion{{
			Name: version,
			Schema: &extv1.CustomResourceValidation{OpenAPIV3Schema: &extv1.JSONSchemaProps{
				Type: "object",
				Properties: map[string]extv1.JSONSchemaProps{
					"apiVersion": {Type: "string"}, "kind": {Type: "string"}, "metadata": {Type: "object"},
					"spec": s, "status": {Type: "object"},
				},
			}},
		}}},
	}
}

func TestConfigCRD(t *testing.T) {
	got, err := configCRD(crdWith(t, "v1alpha2", specSchema))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v1alpha2", "v1alpha1"}, []string{got.Spec.Versions[0].Name, got.Spec.Versions[1].Name}); diff != "" {
		t.Errorf("versions: -want, +got:\n%s", diff)
	}
	if !got.Spec.Versions[0].Storage || got.Spec.Versions[1].Storage || !got.Spec.Versions[1].Served {
		t.Errorf("v1alpha2 must be the storage version and v1alpha1 served: %+v", got.Spec.Versions)
	}
	if diff := cmp.Diff(got.Spec.Versions[0].Schema, got.Spec.Versions[1].Schema); diff != "" {
		t.Errorf("the versions' schemas differ: -v1alpha2, +v1alpha1:\n%s", diff)
	}
	if got.Spec.Scope != extv1.NamespaceScoped || got.Name != "llminferenceserviceconfigs.serving.kserve.io" {
		t.Errorf("got %s scoped %s, want the namespaced llminferenceserviceconfigs.serving.kserve.io", got.Spec.Scope, got.Name)
	}
	root := got.Spec.Versions[0].Schema.OpenAPIV3Schema
	if _, ok := root.Properties["status"]; ok {
		t.Error("the config CRD has a status: nothing writes it")
	}
	spec := root.Properties["spec"]
	at := func(path string) extv1.JSONSchemaProps {
		t.Helper()
		s := spec
		for _, p := range strings.Split(path, ".") {
			switch p {
			case "[]":
				s = *s.Items.Schema
			case "{}":
				s = *s.AdditionalProperties.Schema
			default:
				var ok bool
				if s, ok = s.Properties[p]; !ok {
					t.Fatalf("no %s in the relaxed schema", path)
				}
			}
		}
		return s
	}

	cases := map[string]struct {
		reason string
		path   string
		check  func(extv1.JSONSchemaProps) bool
	}{
		"SpecRequiresNothing":     {"A config need not name a model.", "model", func(extv1.JSONSchemaProps) bool { return spec.Required == nil }},
		"ModelRequiresNothing":    {"A config may set the model's name only.", "model", func(s extv1.JSONSchemaProps) bool { return s.Required == nil }},
		"NoSpecCEL":               {"Rules between fields hold on the merged spec only.", "model", func(extv1.JSONSchemaProps) bool { return spec.XValidations == nil }},
		"NoNestedCEL":             {"Nor anywhere below the spec.", "parallelism", func(s extv1.JSONSchemaProps) bool { return s.XValidations == nil }},
		"BoundsKept":              {"Bounds are kept.", "parallelism.tensor", func(s extv1.JSONSchemaProps) bool { return s.Minimum != nil && *s.Minimum == 1 }},
		"EnumsKept":               {"Enums are kept.", "model.criticality", func(s extv1.JSONSchemaProps) bool { return len(s.Enum) == 2 }},
		"LengthKeptOutside":       {"Lengths outside the templated parts are kept.", "model.uri", func(s extv1.JSONSchemaProps) bool { return ptr.Deref(s.MinLength, 0) == 1 }},
		"PatternKeptOutside":      {"Patterns outside the templated parts are kept, as in KServe.", "kvCacheOffloading.cpu", func(s extv1.JSONSchemaProps) bool { return s.Pattern != "" }},
		"RequiredKeptOutside":     {"Required fields of other objects are kept, as in KServe.", "kvCacheOffloading", func(s extv1.JSONSchemaProps) bool { return len(s.Required) == 1 }},
		"PodTemplateRequires":     {"A pod template need not list containers.", "template", func(s extv1.JSONSchemaProps) bool { return s.Required == nil }},
		"PrefillWorkerRequires":   {"Nor a prefill worker.", "prefill.worker", func(s extv1.JSONSchemaProps) bool { return s.Required == nil }},
		"SchedulerRequires":       {"Nor the scheduler's.", "router.scheduler.template", func(s extv1.JSONSchemaProps) bool { return s.Required == nil }},
		"ContainerNameRequired":   {"A container in a template still needs its name, its merge key.", "worker.containers.[]", func(s extv1.JSONSchemaProps) bool { return len(s.Required) == 1 }},
		"NoMinItemsInTemplate":    {"Counts go under the templates.", "template.containers", func(s extv1.JSONSchemaProps) bool { return s.MinItems == nil }},
		"NoMinLengthInTemplate":   {"Lengths go under the templates.", "prefill.template.containers.[].name", func(s extv1.JSONSchemaProps) bool { return s.MinLength == nil }},
		"NoPatternInMapValues":    {"Patterns of map values go under the templates.", "worker.containers.[].resources.limits.{}", func(s extv1.JSONSchemaProps) bool { return s.Pattern == "" }},
		"NoPatternInRouteSpec":    {"Patterns go in the route spec.", "router.route.http.spec.parentRefs.[].namespace", func(s extv1.JSONSchemaProps) bool { return s.Pattern == "" && s.MinLength == nil }},
		"NoCELInRouteSpec":        {"CEL rules go in the route spec.", "router.route.http.spec.parentRefs.[]", func(s extv1.JSONSchemaProps) bool { return s.XValidations == nil }},
		"NoMinPropertiesInPool":   {"Property counts go in the pool spec.", "router.scheduler.pool.spec", func(s extv1.JSONSchemaProps) bool { return s.MinProperties == nil }},
		"NoMinItemsInPoolTargets": {"Item counts go in the pool spec.", "router.scheduler.pool.spec.targetPorts", func(s extv1.JSONSchemaProps) bool { return s.MinItems == nil }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if !tc.check(at(tc.path)) {
				t.Errorf("%s\nat spec.%s: %+v", tc.reason, tc.path, at(tc.path))
			}
		})
	}
}

func TestConfigCRDRefuses(t *testing.T) {
	cases := map[string]struct {
		reason  string
		version string
		spec    string
		want    string
	}{
		"WrongVersion": {
			reason:  "The schema must be generated at the storage version.",
			version: "v1alpha1",
			spec:    specSchema,
			want:    "want v1alpha2",
		},
		"MissingPart": {
			reason:  "A part the relaxations name that the types no longer have is an error, so the lists follow the types.",
			version: "v1alpha2",
			spec:    "type: object\nproperties:\n  model: {type: object}\n  template: {type: object}",
			want:    `no property "worker"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := configCRD(crdWith(t, tc.version, tc.spec))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s\nerror %v, want one mentioning %q", tc.reason, err, tc.want)
			}
		})
	}
}
