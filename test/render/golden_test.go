package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRenderExamples renders every example the README lists and compares
// the output byte for byte with testdata/<case>.yaml. Run with -update to
// rewrite the golden files after an intended change, and review the diff.
func TestRenderExamples(t *testing.T) {
	cases := map[string]struct {
		reason      string
		xr          string
		composition string
		extra       []string
	}{
		"single-node": {
			reason:      "The seed manifest, nothing observed yet: a vLLM Deployment and its Service, not ready.",
			xr:          "example/single-node/xr.yaml",
			composition: "example/composition.yaml",
		},
		"single-node-ready": {
			reason:      "The seed manifest once Crossplane observes an Available Deployment: Ready, with the in-cluster URL.",
			xr:          "example/single-node/xr.yaml",
			composition: "example/composition.yaml",
			extra:       []string{"--observed-resources=" + filepath.Join("..", "..", "example", "single-node", "observed.yaml")},
		},
		"pvc-lora": {
			reason:      "A model on a PVC with LoRA adapters from Hugging Face and the same PVC.",
			xr:          "example/pvc-lora/xr.yaml",
			composition: "example/composition.yaml",
		},
		"oci": {
			reason:      "A model packaged as an OCI image, mounted through a modelcar sidecar.",
			xr:          "example/oci/xr.yaml",
			composition: "example/composition.yaml",
		},
		"tensor-parallel": {
			reason:      "Tensor parallelism over four GPUs, user args after the generated flags.",
			xr:          "example/tensor-parallel/xr.yaml",
			composition: "example/composition.yaml",
		},
		"no-scheduler": {
			reason:      "A managed Gateway and HTTPRoute without a scheduler: the route's backend is the workload Service.",
			xr:          "example/no-scheduler/xr.yaml",
			composition: "example/composition.yaml",
		},
		"custom-scheduler": {
			reason:      "Two endpoint pickers with leader election, the user's template and inline config, a route with a host name.",
			xr:          "example/custom-scheduler/xr.yaml",
			composition: "example/composition.yaml",
		},
		"shared-gateway": {
			reason:      "A referenced Gateway in another namespace, read as a required resource: no Gateway composed, the URL from its address, criticality as an InferenceObjective selected by the route.",
			xr:          "example/shared-gateway/xr.yaml",
			composition: "example/composition.yaml",
			extra:       []string{"--required-resources=" + filepath.Join("..", "..", "example", "shared-gateway", "required.yaml")},
		},
		"shared-gateway-missing": {
			reason:      "The referenced Gateway does not exist: the XR says so and is not ready; everything else is composed.",
			xr:          "example/shared-gateway/xr.yaml",
			composition: "example/composition.yaml",
		},
		"bring-your-own": {
			reason:      "Referenced route, Gateway and pool: only the workload is composed; readiness and the https URL come from the referenced objects.",
			xr:          "example/bring-your-own/xr.yaml",
			composition: "example/composition.yaml",
			extra:       []string{"--required-resources=" + filepath.Join("..", "..", "example", "bring-your-own", "required.yaml")},
		},
		"gke": {
			reason:      "GKE: the pool's HealthCheckPolicy and GCPBackendPolicy, the GKE gateway class, no route timeouts.",
			xr:          "example/gke/xr.yaml",
			composition: "example/gke/composition.yaml",
		},
		"pd": {
			reason:      "Prefill/decode on single nodes: two Deployments, the decode routing sidecar in front of vLLM on 8200, NIXL on both, the picker's P/D profiles, RDMA carried through.",
			xr:          "example/pd/xr.yaml",
			composition: "example/composition.yaml",
		},
		"wide-ep": {
			reason:      "Wide expert parallelism: decode and prefill LeaderWorkerSets of 2 pods × 8 ranks with hybrid load balancing and computed start ranks.",
			xr:          "example/wide-ep/xr.yaml",
			composition: "example/composition.yaml",
		},
		"multi-node-pd": {
			reason:      "Multi-node decode LeaderWorkerSet with sidecars on every pod, single-node prefill Deployment.",
			xr:          "example/multi-node-pd/xr.yaml",
			composition: "example/composition.yaml",
		},
		"pipeline-parallel": {
			reason:      "Pipeline parallelism across two nodes through Ray: only the leader serves and is in the pool.",
			xr:          "example/pipeline-parallel/xr.yaml",
			composition: "example/composition.yaml",
		},
		"restricted": {
			reason:      "Every model-server pod as one non-root user from the Function input, so P/D pods with a modelcar, a storage initializer and the routing sidecar pass Pod Security restricted.",
			xr:          "example/restricted/xr.yaml",
			composition: "example/restricted/composition.yaml",
		},
		"base-configs": {
			reason:      "Base configurations from the Function input and an EnvironmentConfig merged under the XR's spec; status lists the layers.",
			xr:          "example/base-configs/xr.yaml",
			composition: "example/base-configs/composition.yaml",
			extra:       []string{"--required-resources=" + filepath.Join("..", "..", "example", "base-configs", "required.yaml")},
		},
		"legacy-claim": {
			reason:      "A legacy XR made for a claim composes into the claim's namespace with the claim's name, with the platform's Function input.",
			xr:          "example/legacy/xr.yaml",
			composition: "example/legacy/composition.yaml",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := render(t, tc.xr, tc.composition, tc.extra...)
			if err != nil {
				t.Fatalf("%s\ncrossplane render: %v\n%s", tc.reason, err, stderr)
			}
			golden := filepath.Join("testdata", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil { //nolint:gosec // golden files are not secret.
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden) //nolint:gosec // fixed test data.
			if err != nil {
				t.Fatalf("%s\ncannot read golden file (run with -update to create it): %v", tc.reason, err)
			}
			if diff := cmp.Diff(string(want), out); diff != "" {
				t.Errorf("%s\ncrossplane render %s: -want (%s), +got:\n%s", tc.reason, tc.xr, golden, diff)
			}
			validateAll(t, out)
		})
	}
}

// TestRenderRefusesInvalid renders invalid specs: each must fail with a
// message that names the field and says what is wrong, and render nothing.
func TestRenderRefusesInvalid(t *testing.T) {
	cases := map[string]struct {
		reason string
		want   []string
	}{
		"gpu-mismatch": {
			reason: "Tensor parallelism 4 needs 4 GPUs, the pod asks for 2.",
			want:   []string{`spec.template.containers[main].resources.limits[nvidia.com/gpu]`, "asks for 2 nvidia.com/gpu", "needs 4 per pod (tensor 4 × pipeline 1 × dataLocal 1)"},
		},
		"multi-gpu-no-request": {
			reason: "Tensor parallelism 2 without any GPU in the pod.",
			want:   []string{"spec.parallelism needs 2 GPUs per pod", "asks for no nvidia.com/gpu"},
		},
		"unknown-scheme": {
			reason: "gs:// is not a supported model source.",
			want:   []string{"spec.model.uri", `unsupported scheme "gs"`, "hf://, s3://, pvc:// or oci://"},
		},
		"inline-credential": {
			reason: "A token written into the spec would land in etcd in clear text.",
			want:   []string{"spec.template.initContainers[storage-initializer].env[HF_TOKEN].value", "by reference"},
		},
		"reserved-arg": {
			reason: "The port is a contract with the Service and probes.",
			want:   []string{"spec.template.containers[main].args[0]", "--port is set by the function"},
		},
		"missing-base-config": {
			reason: "A base configuration that is neither a preset nor an EnvironmentConfig is named, never skipped.",
			want:   []string{"spec.baseRefs[0].name", `"h100-tp8"`, "no such base configuration"},
		},
		"template-typo": {
			reason: "A misspelt pod field must not be dropped silently.",
			want:   []string{"spec.template.containers[0].imagePullPolicyy", "not a field of a pod spec"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := render(t, filepath.Join("test", "render", "testdata", "invalid", name+".yaml"), "example/composition.yaml")
			if err == nil {
				t.Fatalf("%s\ncrossplane render succeeded, want a fatal result; output:\n%s", tc.reason, out)
			}
			if !strings.Contains(stderr, "returned a fatal result") {
				t.Errorf("%s\nwant a fatal result from the function, got:\n%s", tc.reason, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%s\nerror does not mention %q:\n%s", tc.reason, w, stderr)
				}
			}
			if strings.TrimSpace(out) != "" {
				t.Errorf("%s\nwant nothing rendered, got:\n%s", tc.reason, out)
			}
		})
	}
}
