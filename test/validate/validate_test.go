package validate

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validator returns the Validator shared by the tests of this package.
func validator(t *testing.T) *Validator {
	t.Helper()
	v, err := Default()
	if err != nil {
		t.Fatalf("cannot build validator: %v", err)
	}
	return v
}

// errorKeys summarises field errors as "<type> <field>", sorted, so that a
// test says which errors it expects, on which fields, and no others.
func errorKeys(errs field.ErrorList) []string {
	keys := make([]string, 0, len(errs))
	for _, e := range errs {
		keys = append(keys, strings.TrimPrefix(string(e.Type), "FieldValue")+" "+e.Field)
	}
	sort.Strings(keys)
	return keys
}

// want is what Validate should return.
type want struct {
	// errs are the expected errorKeys; nil means valid.
	errs []string
	// contains are substrings of the error message.
	contains []string
	// is is an error the result must wrap.
	is error
}

// validateCase is a case of TestValidate, also used by
// TestAgainstAPIServer.
type validateCase struct {
	reason string
	obj    map[string]any
	want   want
}

func validateCases(t *testing.T) map[string]validateCase {
	t.Helper()
	long := strings.Repeat("a", 64)
	return map[string]validateCase{
		// Built-in kinds.
		"DeploymentValid": {
			reason: "A Deployment like the function's passes, with nulls, int-or-strings and quantities of both JSON types.",
			obj:    obj(t, deployment),
		},
		"DeploymentUnknownSpecField": {
			reason: "A typo in a Deployment's spec is an unknown field, and leaves the real field missing.",
			obj:    obj(t, deployment, rename("spec.template", "templte")),
			want:   want{errs: []string{"Forbidden spec.templte", "Required spec.template"}},
		},
		"DeploymentUnknownContainerField": {
			reason: "Unknown fields are found deep inside a pod template.",
			obj:    obj(t, deployment, rename("spec.template.spec.containers[0].imagePullPolicy", "imagePullPolicyy")),
			want:   want{errs: []string{"Forbidden spec.template.spec.containers[0].imagePullPolicyy"}, contains: []string{"unknown field"}},
		},
		"DeploymentUnknownMetadataField": {
			reason: "Unknown fields of ObjectMeta are found too.",
			obj:    obj(t, deployment, set("spec.template.metadata.label", map[string]any{"a": "b"})),
			want:   want{errs: []string{"Forbidden spec.template.metadata.label"}},
		},
		"DeploymentWrongType": {
			reason: "replicas is an integer.",
			obj:    obj(t, deployment, set("spec.replicas", "3")),
			want:   want{errs: []string{"TypeInvalid spec.replicas"}},
		},
		"DeploymentMissingContainerName": {
			reason: "Fields the schema requires are required.",
			obj:    obj(t, deployment, unset("spec.template.spec.containers[0].name")),
			want:   want{errs: []string{"Required spec.template.spec.containers[0].name"}},
		},
		"DeploymentDuplicateContainerPort": {
			reason: "x-kubernetes-list-type map keys must be unique.",
			obj: obj(t, deployment, set("spec.template.spec.containers[0].ports", []any{
				map[string]any{"containerPort": int64(8000), "protocol": "TCP"},
				map[string]any{"containerPort": int64(8000), "protocol": "TCP"},
			})),
			want: want{errs: []string{"Duplicate spec.template.spec.containers[0].ports[1]"}},
		},
		"DeploymentBadQuantity": {
			reason: "A quantity the API server can't parse fails.",
			obj:    obj(t, deployment, set("spec.template.spec.containers[0].resources.limits.memory", "32 GiB")),
			// kube-openapi reports the failed oneOf without a path, as the
			// API server does.
			want: want{errs: []string{"Invalid <nil>", "TypeInvalid spec.template.spec.containers[0].resources.limits.memory"}, contains: []string{"k8s-quantity"}},
		},
		"DeploymentBadTemplateLabel": {
			reason: "Labels of the pod template's ObjectMeta are checked like the root's.",
			obj:    obj(t, deployment, set("spec.template.metadata.labels.bad", "not a label value")),
			want:   want{errs: []string{"Invalid spec.template.metadata.labels"}},
		},
		"DeploymentSelectorMismatch": {
			reason: "The selector must match the pod template's labels.",
			obj:    obj(t, deployment, set("spec.selector.matchLabels.kserve\\.io/component", "x")),
			want:   want{errs: []string{"Invalid spec.template.metadata.labels"}, contains: []string{"does not match template"}},
		},
		"DeploymentBadName": {
			reason: "Names are DNS subdomains.",
			obj:    obj(t, deployment, set("metadata.name", "Llama_3")),
			want:   want{errs: []string{"Invalid metadata.name"}},
		},
		"DeploymentNoName": {
			reason: "An object needs a name or generateName.",
			obj:    obj(t, deployment, unset("metadata.name")),
			want:   want{errs: []string{"Required metadata.name"}},
		},
		"DeploymentBadLabelKey": {
			reason: "Label keys are qualified names.",
			obj:    obj(t, deployment, set("metadata.labels.-bad", "x")),
			want:   want{errs: []string{"Invalid metadata.labels"}},
		},
		"DeploymentNoNamespace": {
			reason: "A namespaced object without a namespace gets one, as from the request URL.",
			obj:    obj(t, deployment, unset("metadata.namespace")),
		},
		"DeploymentStatusNotValidated": {
			reason: "The API server resets status on create, so status values are not checked: these conditions lack required fields.",
			obj:    obj(t, deployment, set("status.conditions", []any{map[string]any{"reason": "x"}})),
		},
		"DeploymentStatusUnknownField": {
			reason: "Unknown fields are found at decoding, before status is reset.",
			obj:    obj(t, deployment, set("status.bogus", true)),
			want:   want{errs: []string{"Forbidden status.bogus"}},
		},
		"DeploymentQuantityAsNumber": {
			reason: "A quantity may be a JSON number.",
			obj:    obj(t, deployment, set("spec.template.spec.containers[0].resources.requests.cpu", 0.5)),
		},
		"DeploymentDuplicateContainerName": {
			reason: "Containers are a list-type map keyed by name.",
			obj: obj(t, deployment, set("spec.template.spec.initContainers", []any{
				map[string]any{"name": "main", "image": "busybox"},
				map[string]any{"name": "main", "image": "busybox"},
			})),
			want: want{errs: []string{"Duplicate spec.template.spec.initContainers[1]"}},
		},
		"ServiceValid": {
			reason: "A Service with a named target port passes.",
			obj:    obj(t, service),
		},
		"ServiceNameTooLong": {
			reason: "A Service name is a DNS-1035 label of at most 63 characters.",
			obj:    obj(t, service, set("metadata.name", long)),
			want:   want{errs: []string{"Invalid metadata.name"}, contains: []string{"must be no more than 63 characters"}},
		},
		"ServiceNameStartsWithDigit": {
			reason: "A Service name must start with a letter, unlike a Deployment's.",
			obj:    obj(t, service, set("metadata.name", "3b-workload")),
			want:   want{errs: []string{"Invalid metadata.name"}},
		},
		"ServicePortAsString": {
			reason: "A Service port is an integer, not a string.",
			obj:    obj(t, service, set("spec.ports[0].port", "8000")),
			want:   want{errs: []string{"TypeInvalid spec.ports[0].port"}},
		},
		"ServiceTargetPortAsFloat": {
			reason: "An int-or-string is neither a float nor an object.",
			obj:    obj(t, service, set("spec.ports[0].targetPort", 80.5)),
			want: want{errs: []string{
				"Invalid <nil>", "Invalid <nil>",
				"TypeInvalid spec.ports[0].targetPort", "TypeInvalid spec.ports[0].targetPort",
			}},
		},
		"ServiceAccountValid": {
			reason: "A ServiceAccount passes.",
			obj:    obj(t, serviceAccount),
		},
		"ConfigMapValid": {
			reason: "A ConfigMap passes.",
			obj:    obj(t, configMap),
		},
		"ConfigMapNonStringData": {
			reason: "ConfigMap data values are strings.",
			obj:    obj(t, configMap, set("data.replicas", int64(3))),
			want:   want{errs: []string{"TypeInvalid data.replicas"}},
		},
		"ConfigMapGenerateName": {
			reason: "generateName stands in for a name: the API server generates the name before validation.",
			obj:    obj(t, configMap, unset("metadata.name"), set("metadata.generateName", "llama-3-8b-")),
		},
		"RoleValid": {
			reason: "A Role passes.",
			obj:    obj(t, role),
		},
		"RoleMissingVerbs": {
			reason: "A policy rule needs verbs.",
			obj:    obj(t, role, unset("rules[1].verbs")),
			want:   want{errs: []string{"Required rules[1].verbs"}},
		},
		"RoleBindingValid": {
			reason: "A RoleBinding passes.",
			obj:    obj(t, roleBinding),
		},
		"ClusterRoleValid": {
			reason: "RBAC names only need to be path segments, and a cluster-scoped object's namespace is cleared.",
			obj:    obj(t, clusterRole, set("metadata.namespace", "default")),
		},

		// Custom resources.
		"LeaderWorkerSetValid": {
			reason: "A LeaderWorkerSet passes.",
			obj:    obj(t, leaderWorkerSet),
		},
		"LeaderWorkerSetGoNulls": {
			reason: "Go marshals creationTimestamp: null into every ObjectMeta. The root's is declared, but the LWS CRD's embedded template metadata doesn't declare it: server-side apply fails with 'field not declared in schema'.",
			obj: obj(t, leaderWorkerSet,
				set("metadata.creationTimestamp", nil),
				set("spec.leaderWorkerTemplate.workerTemplate.metadata.creationTimestamp", nil)),
			want: want{errs: []string{"Forbidden spec.leaderWorkerTemplate.workerTemplate.metadata.creationTimestamp"}},
		},
		"LeaderWorkerSetUnknownField": {
			reason: "Pruning reports unknown fields of custom resources.",
			obj:    obj(t, leaderWorkerSet, set("spec.leaderWorkerTemplate.sizee", int64(2))),
			want:   want{errs: []string{"Forbidden spec.leaderWorkerTemplate.sizee"}},
		},
		"LeaderWorkerSetUnknownMetadataField": {
			reason: "Unknown metadata fields of a custom resource are reported, as the API server's strict decoding does.",
			obj:    obj(t, leaderWorkerSet, set("metadata.labelz", map[string]any{"a": "b"})),
			want:   want{errs: []string{"Forbidden metadata.labelz"}},
		},
		"LeaderWorkerSetBadLabelValue": {
			reason: "Label values of a custom resource are checked.",
			obj:    obj(t, leaderWorkerSet, set("metadata.labels.role", strings.Repeat("x", 64))),
			want:   want{errs: []string{"Invalid metadata.labels"}},
		},
		"LeaderWorkerSetWrongEnum": {
			reason: "Enums of CRDs are checked.",
			obj:    obj(t, leaderWorkerSet, set("spec.leaderWorkerTemplate.restartPolicy", "Always")),
			want:   want{errs: []string{"NotSupported spec.leaderWorkerTemplate.restartPolicy"}},
		},
		"GatewayValid": {
			reason: "A Gateway passes.",
			obj:    obj(t, gateway),
		},
		"GatewayPortOutOfRange": {
			reason: "Minimum and maximum of CRDs are checked.",
			obj:    obj(t, gateway, set("spec.listeners[0].port", int64(70000))),
			want:   want{errs: []string{"Invalid spec.listeners[0].port"}},
		},
		"HTTPRouteValid": {
			reason: "An HTTPRoute to a Service passes.",
			obj:    obj(t, httpRoute),
		},
		"HTTPRouteToInferencePool": {
			reason: "An HTTPRoute to an InferencePool passes.",
			obj:    obj(t, httpRouteToInferencePool),
		},
		"HTTPRouteBackendTimeoutLongerThanRequest": {
			reason: "A CEL rule: the backend request timeout can't exceed the request timeout.",
			obj:    obj(t, httpRoute, set("spec.rules[0].timeouts.backendRequest", "600s")),
			want:   want{errs: []string{"Invalid spec.rules[0].timeouts"}, contains: []string{"backendRequest timeout cannot be longer than request timeout"}},
		},
		"HTTPRouteReplacePrefixMatchDefaultMatch": {
			reason: "A rule without matches is defaulted to a PathPrefix match before CEL rules run, so ReplacePrefixMatch is fine.",
			obj: obj(t, httpRoute, unset("spec.rules[0].matches"), set("spec.rules[0].filters", []any{map[string]any{
				"type":       "URLRewrite",
				"urlRewrite": map[string]any{"path": map[string]any{"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}},
			}})),
		},
		"HTTPRouteReplacePrefixMatchWithoutPathPrefix": {
			reason: "A CEL rule: URLRewrite with ReplacePrefixMatch needs exactly one PathPrefix match.",
			obj: obj(t, httpRoute, set("spec.rules[0].matches[0].path.type", "Exact"), set("spec.rules[0].filters", []any{map[string]any{
				"type":       "URLRewrite",
				"urlRewrite": map[string]any{"path": map[string]any{"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}},
			}})),
			want: want{errs: []string{"Invalid spec.rules[0]"}, contains: []string{"exactly one PathPrefix match must be specified"}},
		},
		"HTTPRouteServiceBackendWithoutPort": {
			reason: "A CEL rule on a defaulted field: a backendRef's kind defaults to Service, which needs a port.",
			obj:    obj(t, httpRoute, unset("spec.rules[0].backendRefs[0].port")),
			want:   want{errs: []string{"Invalid spec.rules[0].backendRefs[0]"}, contains: []string{"Must have port for Service reference"}},
		},
		"InferencePoolValid": {
			reason: "An InferencePool passes.",
			obj:    obj(t, inferencePool),
		},
		"InferencePoolWithoutSelector": {
			reason: "An InferencePool needs a selector.",
			obj:    obj(t, inferencePool, unset("spec.selector")),
			// The API server skips CEL rules of an object missing a
			// required field, and says so in an error without a path.
			want: want{errs: []string{"Invalid <nil>", "Required spec.selector"}, contains: []string{"some validation rules were not checked"}},
		},
		"InferencePoolEndpointPickerWithoutPort": {
			reason: "A CEL rule on a defaulted field: the endpoint picker's kind defaults to Service, which needs a port.",
			obj:    obj(t, inferencePool, unset("spec.endpointPickerRef.port")),
			want:   want{errs: []string{"Invalid spec.endpointPickerRef"}, contains: []string{"port is required"}},
		},
		"InferencePoolDuplicateTargetPorts": {
			reason: "A CEL rule on a list.",
			obj:    obj(t, inferencePool, set("spec.targetPorts", []any{map[string]any{"number": int64(8000)}, map[string]any{"number": int64(8000)}})),
			want:   want{errs: []string{"Invalid spec.targetPorts"}, contains: []string{"port number must be unique"}},
		},
		"DestinationRuleValid": {
			reason: "An Istio DestinationRule like the function's passes: its CRD comes from a file of many CRDs.",
			obj:    obj(t, destinationRule),
		},
		"DestinationRuleEnumAsNumber": {
			reason: "A protobuf enum serialized by reflection (mode: 1 for SIMPLE) is not the string the CRD expects.",
			obj:    obj(t, destinationRule, set("spec.trafficPolicy.tls.mode", int64(1))),
			// Istio's CRD has CEL rules, which the API server skips for an
			// object with schema errors, and says so without a path.
			want: want{errs: []string{"Invalid <nil>", "NotSupported spec.trafficPolicy.tls.mode", "TypeInvalid spec.trafficPolicy.tls.mode"}},
		},
		"DestinationRuleDurationAsObject": {
			reason: "A protobuf duration serialized by reflection ({seconds: 900}) is not the string the CRD expects.",
			obj:    obj(t, destinationRule, set("spec.trafficPolicy.connectionPool.tcp.connectTimeout", map[string]any{"seconds": int64(900)})),
			want: want{errs: []string{
				"Forbidden spec.trafficPolicy.connectionPool.tcp.connectTimeout.seconds",
				"Invalid <nil>",
				"TypeInvalid spec.trafficPolicy.connectionPool.tcp.connectTimeout",
			}},
		},
		"DestinationRuleWithoutHost": {
			reason: "A DestinationRule needs a host.",
			obj:    obj(t, destinationRule, unset("spec.host")),
			want:   want{errs: []string{"Invalid <nil>", "Required spec.host"}, contains: []string{"some validation rules were not checked"}},
		},
		"DestinationRuleConnectTimeoutTooShort": {
			reason: "A CEL rule of Istio's CRD: durations are at least 1ms.",
			obj:    obj(t, destinationRule, set("spec.trafficPolicy.connectionPool.tcp.connectTimeout", "500us")),
			want:   want{errs: []string{"Invalid spec.trafficPolicy.connectionPool.tcp.connectTimeout"}, contains: []string{"must be a valid duration greater than 1ms"}},
		},
		"HealthCheckPolicyValid": {
			reason: "A GKE HealthCheckPolicy on an InferencePool passes.",
			obj:    obj(t, healthCheckPolicy),
		},
		"HealthCheckPolicyWrongType": {
			reason: "The health check type is an enum.",
			obj:    obj(t, healthCheckPolicy, set("spec.default.config.type", "HTTP1")),
			want:   want{errs: []string{"NotSupported spec.default.config.type"}},
		},
		"HealthCheckPolicyWithoutTargetRef": {
			reason: "A policy needs a target.",
			obj:    obj(t, healthCheckPolicy, unset("spec.targetRef")),
			want:   want{errs: []string{"Required spec.targetRef"}},
		},
		"GCPBackendPolicyValid": {
			reason: "A GKE GCPBackendPolicy on an InferencePool passes.",
			obj:    obj(t, gcpBackendPolicy),
		},
		"PodMonitorValid": {
			reason: "A prometheus-operator PodMonitor like the function's passes: its CRD is generated from the operator's API module.",
			obj:    obj(t, podMonitor),
		},
		"PodMonitorPortAsNumber": {
			reason: "A PodMonitor's port is a container port's name; portNumber is the number.",
			obj:    obj(t, podMonitor, set("spec.podMetricsEndpoints", []any{map[string]any{"port": int64(9090)}})),
			want:   want{errs: []string{"TypeInvalid spec.podMetricsEndpoints[0].port"}},
		},
		"ResourceClaimTemplateValid": {
			reason: "A managed DRA ResourceClaimTemplate passes the built-in resource.k8s.io/v1 schema.",
			obj:    obj(t, resourceClaimTemplate),
		},
		"ResourceClaimTemplateCountAsString": {
			reason: "A device count is an integer.",
			obj:    obj(t, resourceClaimTemplate, set("spec.spec.devices.requests", []any{map[string]any{"name": "device", "exactly": map[string]any{"deviceClassName": "gpu.nvidia.com", "count": "2"}}})),
			want:   want{errs: []string{"TypeInvalid spec.spec.devices.requests[0].exactly.count"}},
		},
		"GCPBackendPolicyTimeoutAsString": {
			reason: "timeoutSec is an integer.",
			obj:    obj(t, gcpBackendPolicy, set("spec.default.timeoutSec", "300s")),
			// The CRD's spec has a CEL rule, skipped as for Istio's.
			want: want{errs: []string{"Invalid <nil>", "TypeInvalid spec.default.timeoutSec"}},
		},
		"GCPBackendPolicyZeroTimeout": {
			reason: "timeoutSec is at least 1.",
			obj:    obj(t, gcpBackendPolicy, set("spec.default.timeoutSec", int64(0))),
			want:   want{errs: []string{"Invalid spec.default.timeoutSec"}},
		},
		"InferenceObjectiveValid": {
			reason: "An InferenceObjective in llm-d-router's llm-d.ai group passes.",
			obj:    obj(t, inferenceObjective),
		},
		"InferenceObjectiveWithoutPoolRef": {
			reason: "An InferenceObjective needs a pool.",
			obj:    obj(t, inferenceObjective, unset("spec.poolRef")),
			want:   want{errs: []string{"Required spec.poolRef"}},
		},
		"InferenceObjectivePriorityAsString": {
			reason: "priority is an integer.",
			obj:    obj(t, inferenceObjective, set("spec.priority", "high")),
			want:   want{errs: []string{"TypeInvalid spec.priority"}},
		},
		"InferenceObjectiveInferenceExtensionGroup": {
			reason: "The CRD is moved to llm-d.ai, not copied: the inference extension's group, which llm-d-router no longer serves, is unknown.",
			obj:    obj(t, inferenceObjective, set("apiVersion", "inference.networking.x-k8s.io/v1alpha2")),
			want:   want{is: ErrNoSchema},
		},
		"EnvironmentConfigValid": {
			reason: "Crossplane's own kinds are known; data preserves unknown fields.",
			obj:    obj(t, environmentConfig),
		},

		// Objects we can't check.
		"UnknownKind": {
			reason: "A kind without a schema is an error, never a pass.",
			obj:    map[string]any{"apiVersion": "example.org/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}},
			want:   want{is: ErrNoSchema},
		},
		"UnknownVersionOfKnownKind": {
			reason: "A version that isn't served has no schema.",
			obj:    obj(t, deployment, set("apiVersion", "apps/v1beta1")),
			want:   want{is: ErrNoSchema},
		},
		"NoKind": {
			reason: "An object without a kind can't be checked.",
			obj:    obj(t, deployment, unset("kind")),
			want:   want{errs: []string{"Required kind"}},
		},
	}
}

func TestValidate(t *testing.T) {
	v := validator(t)
	for name, tc := range validateCases(t) {
		t.Run(name, func(t *testing.T) {
			// In parallel: a Validator is shared by concurrent tests.
			t.Parallel()
			err := v.Validate(tc.obj)

			if tc.want.is != nil {
				if !errors.Is(err, tc.want.is) {
					t.Fatalf("%s\nValidate(...): want error wrapping %q, got %v", tc.reason, tc.want.is, err)
				}
				return
			}
			var oe *ObjectError
			if err != nil && !errors.As(err, &oe) {
				t.Fatalf("%s\nValidate(...): want nil or *ObjectError, got %T: %v", tc.reason, err, err)
			}
			if diff := cmp.Diff(tc.want.errs, errorKeys(FieldErrors(err)), cmpEmpty); diff != "" {
				t.Errorf("%s\nValidate(...): -want errors, +got errors:\n%s\nfull error: %v", tc.reason, diff, err)
			}
			for _, s := range tc.want.contains {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("%s\nValidate(...): want error containing %q, got %v", tc.reason, s, err)
				}
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.Transformer("empty", func(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
})

func TestValidateInputTypes(t *testing.T) {
	u := &unstructured.Unstructured{Object: obj(t, service)}
	cases := map[string]struct {
		reason  string
		obj     any
		wantErr bool
	}{
		"UnstructuredPointer": {
			reason: "An *unstructured.Unstructured is checked.",
			obj:    u,
		},
		"Unstructured": {
			reason: "An unstructured.Unstructured is checked.",
			obj:    *u,
		},
		"GoInts": {
			reason: "Go ints in a map are JSON numbers.",
			obj:    obj(t, service, set("spec.ports[0].port", 8000)),
		},
		"GoIntsStillTyped": {
			reason:  "A Go string in a map is still a string.",
			obj:     obj(t, service, set("spec.ports[0].port", "8000")),
			wantErr: true,
		},
		"NilUnstructured": {
			reason:  "A nil object is an error.",
			obj:     (*unstructured.Unstructured)(nil),
			wantErr: true,
		},
	}
	v := validator(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := v.Validate(tc.obj)
			if (err != nil) != tc.wantErr {
				t.Errorf("%s\nValidate(...): want error %t, got %v", tc.reason, tc.wantErr, err)
			}
		})
	}
}

func TestValidateDoesNotModifyInput(t *testing.T) {
	in := obj(t, httpRoute, unset("spec.rules[0].matches"))
	want := obj(t, httpRoute, unset("spec.rules[0].matches"))
	if err := validator(t).Validate(in); err != nil {
		t.Fatalf("Validate(...): %v", err)
	}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("Validate(...) modified its input (defaulting, pruning): -want, +got:\n%s", diff)
	}
}

func TestValidateYAML(t *testing.T) {
	cases := map[string]struct {
		reason string
		stream string
		want   []string
	}{
		"AllValid": {
			reason: "A stream of valid objects passes.",
			stream: "---\n" + deployment + "\n---\n" + service + "\n---\n# comment only\n",
		},
		"OneInvalid": {
			reason: "Every object of a stream is checked, and errors name the object.",
			stream: deployment + "\n---\n" + strings.Replace(service, "port: 8000", `port: "8000"`, 1),
			want:   []string{"TypeInvalid spec.ports[0].port"},
		},
	}
	v := validator(t)
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := v.ValidateYAML([]byte(tc.stream))
			if diff := cmp.Diff(tc.want, errorKeys(FieldErrors(err)), cmpEmpty); diff != "" {
				t.Errorf("%s\nValidateYAML(...): -want, +got:\n%s\nfull error: %v", tc.reason, diff, err)
			}
			if len(tc.want) > 0 && (err == nil || !strings.Contains(err.Error(), "Service/v1 default/llama-3-8b-workload")) {
				t.Errorf("%s\nValidateYAML(...): want the error to name the object, got %v", tc.reason, err)
			}
		})
	}
}

// TestTimings reports how long building a Validator and checking objects
// take. It fails if they're far slower than expected on a 2-core machine.
func TestTimings(t *testing.T) {
	start := time.Now()
	v, err := NewValidator()
	if err != nil {
		t.Fatalf("NewValidator(): %v", err)
	}
	construct := time.Since(start)

	objs := map[string]map[string]any{
		"Deployment": obj(t, deployment),
		"HTTPRoute":  obj(t, httpRoute),
	}
	for name, o := range objs {
		start = time.Now()
		if err := v.Validate(o); err != nil {
			t.Fatalf("Validate(%s): %v", name, err)
		}
		first := time.Since(start)
		const n = 20
		start = time.Now()
		for range n {
			if err := v.Validate(o); err != nil {
				t.Fatalf("Validate(%s): %v", name, err)
			}
		}
		each := time.Since(start) / n
		t.Logf("%s: first validation (compiles the schema) %v, then %v each", name, first, each)
		if each > time.Second {
			t.Errorf("Validate(%s) takes %v", name, each)
		}
	}
	t.Logf("NewValidator() %v", construct)
	if construct > 30*time.Second {
		t.Errorf("NewValidator() takes %v", construct)
	}
}
