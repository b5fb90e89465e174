package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// statusXR is an XR with every status field the function writes, in
// KServe's v1alpha2 shape, and the conditions Crossplane writes.
const statusXR = `
apiVersion: serving.kserve.io/v1alpha2
kind: LLMInferenceService
metadata: {name: m, namespace: default}
spec:
  model: {uri: "hf://org/m"}
status:
  conditions:
  - {type: Ready, status: "True", reason: Available, lastTransitionTime: "2024-01-01T00:00:00Z"}
  url: http://203.0.113.10/default/m
  addresses:
  - name: gateway-external
    url: http://203.0.113.10/default/m
    origin: {group: gateway.networking.k8s.io, kind: Gateway, name: gw, namespace: default}
    models: [{name: m}, {name: sql}]
  - name: workload
    url: http://m-workload.default.svc.cluster.local:8000
    origin: {group: "", kind: Service, name: m-workload, namespace: default}
    models: [{name: m}, {name: sql}]
  router:
    gateways:
    - group: gateway.networking.k8s.io
      kind: Gateway
      name: gw
      namespace: default
      listeners: [http]
      httpRoutes: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: m-route, namespace: default}]
    scheduler:
      inferencePool: {group: inference.networking.k8s.io, kind: InferencePool, name: m-inference-pool, namespace: default}
      service: {group: "", kind: Service, name: m-epp, namespace: default}
    group:
      name: g
      members:
      - {name: m, weight: 10, backendRef: {group: inference.networking.k8s.io, kind: InferencePool, name: m-inference-pool, port: 8000}}
      - {name: m-canary, weight: 90, stopped: true, backendRef: {name: m-canary-workload, port: 8000}}
  workloads:
    primary: {apiGroup: leaderworkerset.x-k8s.io, kind: LeaderWorkerSet, name: m-workload-mn, readyReplicas: 1}
    prefill: {apiGroup: apps, kind: Deployment, name: m-prefill, readyReplicas: 0}
    service: {kind: Service, name: m-workload}
    scheduler: {apiGroup: apps, kind: Deployment, name: m-epp, readyReplicas: 2}
  appliedConfigs:
  - {name: single-node, source: Preset}
  - {name: team, namespace: default, source: UserRef}
  configurations:
  - {name: single-node, source: BuiltIn}
  - {name: team, source: EnvironmentConfig}
  - {name: m, source: Spec}
  gpus: {resource: nvidia.com/gpu, total: 1, main: 1}
`

// TestValidateStatus checks ValidateStatus against the status schema of the
// example XRDs: the status the function writes is accepted at every kind
// and version they serve, and what the schema forbids is refused.
func TestValidateStatus(t *testing.T) {
	// The status schema has a CEL rule (a group member's backendRef): a
	// schema error elsewhere means the API server skips it, and says so.
	const notChecked = "Invalid <nil>"
	v := xrdValidator(t)
	at := func(gvk string) mutation { return set("apiVersion", gvk) }
	cases := map[string]struct {
		reason string
		obj    map[string]any
		want   []string
	}{
		"XR": {
			reason: "The namespaced XR at the referenceable version takes every field.",
			obj:    obj(t, statusXR),
		},
		"XRV1alpha1": {
			reason: "Both versions share one status schema: v1alpha1 takes v1alpha2's fields.",
			obj:    obj(t, statusXR, at("serving.kserve.io/v1alpha1")),
		},
		"LegacyXR": {
			reason: "The legacy XR takes the same status.",
			obj:    obj(t, statusXR, at("serving.example.org/v1alpha2"), set("kind", "XLLMInferenceService"), unset("metadata.namespace")),
		},
		"Claim": {
			reason: "The claim, which Crossplane copies the XR's status to, takes it too.",
			obj:    obj(t, statusXR, at("serving.example.org/v1alpha1")),
		},
		"UnknownField": {
			reason: "A status field the schema does not declare fails a status write, as it fails a server-side apply.",
			obj:    obj(t, statusXR, set("status.workloads.decode", map[string]any{"kind": "Deployment", "name": "d"})),
			want:   []string{"Forbidden status.workloads.decode"},
		},
		"UnknownSource": {
			reason: "An applied config's source is KServe's enum.",
			obj:    obj(t, statusXR, set("status.appliedConfigs[0].source", "BuiltIn")),
			want:   []string{notChecked, "NotSupported status.appliedConfigs[0].source"},
		},
		"OriginWithoutKind": {
			reason: "An origin is a Gateway API object reference, whose kind is required.",
			obj:    obj(t, statusXR, unset("status.addresses[0].origin.kind")),
			want:   []string{notChecked, "Required status.addresses[0].origin.kind"},
		},
		"ReadyReplicasNotANumber": {
			reason: "readyReplicas is an integer.",
			obj:    obj(t, statusXR, set("status.workloads.primary.readyReplicas", "one")),
			want:   []string{notChecked, "TypeInvalid status.workloads.primary.readyReplicas"},
		},
		"GroupMemberServiceWithoutPort": {
			reason: "KServe's (and Gateway API's) rule on a group member's backend: a Service has a port.",
			obj:    obj(t, statusXR, unset("status.router.group.members[1].backendRef.port")),
			want:   []string{"Invalid status.router.group.members[1].backendRef"},
		},
		"SpecNotChecked": {
			reason: "A status write does not check the rest of the object, which is the stored one.",
			obj:    obj(t, statusXR, unset("spec.model")),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := v.ValidateStatus(tc.obj)
			var oe *ObjectError
			if err != nil && !errors.As(err, &oe) {
				t.Fatalf("%s\nValidateStatus(...): want nil or *ObjectError, got %T: %v", tc.reason, err, err)
			}
			if diff := cmp.Diff(tc.want, errorKeys(FieldErrors(err)), cmpEmpty); diff != "" {
				t.Errorf("%s\nValidateStatus(...): -want errors, +got errors:\n%s\nfull error: %v", tc.reason, diff, err)
			}
		})
	}
}

// TestValidateIgnoresStatus is why ValidateStatus exists: a create drops
// the status, so Validate accepts a status the schema refuses.
func TestValidateIgnoresStatus(t *testing.T) {
	bad := obj(t, statusXR, set("status.appliedConfigs[0].source", "BuiltIn"))
	if err := xrdValidator(t).Validate(bad); err != nil {
		t.Errorf("Validate(...): want nil, the status being dropped on create, got %v", err)
	}
}

// TestValidateStatusNeedsStatusSubresource checks a kind without a status
// write of its own is an error, not a pass.
func TestValidateStatusNeedsStatusSubresource(t *testing.T) {
	v := validator(t)
	err := v.ValidateStatus(obj(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n"))
	if err == nil || !strings.Contains(err.Error(), "not a custom resource with a status subresource") {
		t.Errorf("ValidateStatus(ConfigMap): want an error saying it has no status subresource, got %v", err)
	}
}
