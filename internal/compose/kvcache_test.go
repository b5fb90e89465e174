package compose

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// kvFlag is the value of --kv-transfer-config in args, "" when absent.
func kvFlag(t *testing.T, args []string) string {
	t.Helper()
	var out []string
	for _, a := range wiring.ParseVLLMArgs(args) {
		if a.Flag == wiring.FlagKVTransferConfig {
			out = append(out, a.Values...)
		}
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	default:
		t.Fatalf("--kv-transfer-config given %d times: %v", len(out), args)
		return ""
	}
}

// TestKVTransferConfig pins the connector each role's vLLM is given: the
// one place that writes --kv-transfer-config.
func TestKVTransferConfig(t *testing.T) {
	const (
		nixl = `{"kv_connector":"NixlConnector","kv_role":"kv_both"}`
		// 10Gi in bytes, lru, the three tiers.
		offload = `{"kv_connector":"OffloadingConnector","kv_connector_extra_config":{"cpu_bytes_to_use":10737418240,"eviction_policy":"lru","secondary_tiers":[{"root_dir":"/mnt/kv-cache-0","type":"fs"},{"root_dir":"/mnt/kv-cache-1","type":"fs"},{"root_dir":"/mnt/kv-cache-2","type":"fs"}],"spec_name":"TieringOffloadingSpec"},"kv_role":"kv_both"}`
		// 1Gi, no policy, no tiers.
		small      = `{"kv_connector":"OffloadingConnector","kv_connector_extra_config":{"cpu_bytes_to_use":1073741824,"spec_name":"TieringOffloadingSpec"},"kv_role":"kv_both"}`
		multiNIXL  = `{"kv_connector":"MultiConnector","kv_connector_extra_config":{"connectors":[` + nixl + `,` + offload + `]},"kv_role":"kv_both"}`
		multiSmall = `{"kv_connector":"MultiConnector","kv_connector_extra_config":{"connectors":[` + nixl + `,` + small + `]},"kv_role":"kv_both"}`
	)
	// Three tiers, each with its directory by its index in the list.
	tiers := map[string]any{"cpu": "10Gi", "evictionPolicy": "lru", "secondary": []any{
		map[string]any{"fileSystem": map[string]any{"emptyDir": map[string]any{"size": "1Gi"}}},
		map[string]any{"fileSystem": map[string]any{"pvc": map[string]any{"ref": map[string]any{"name": "kv"}}}},
		map[string]any{"fileSystem": map[string]any{"pvc": map[string]any{"spec": map[string]any{}}}},
	}}
	cases := map[string]struct {
		reason  string
		spec    map[string]any
		main    string
		prefill string
	}{
		"None": {
			reason: "A single workload without offloading moves no KV cache.",
			spec:   map[string]any{},
		},
		"Offloading": {
			reason: "kvCacheOffloading is KServe's OffloadingConnector with TieringOffloadingSpec.",
			spec:   map[string]any{"kvCacheOffloading": tiers},
			main:   offload,
		},
		"NoCPU": {
			reason: "A CPU tier of 0 bytes offloads nothing: no connector.",
			spec:   map[string]any{"kvCacheOffloading": map[string]any{"cpu": "0"}},
		},
		"PrefillDecode": {
			reason:  "Prefill and decode pods exchange KV caches with NIXL.",
			spec:    map[string]any{"prefill": map[string]any{}},
			main:    nixl,
			prefill: nixl,
		},
		"PrefillDecodeWithOffloading": {
			reason:  "With offloading too, each role joins NIXL and its own offloading in a MultiConnector, NIXL first.",
			spec:    map[string]any{"kvCacheOffloading": tiers, "prefill": map[string]any{"kvCacheOffloading": map[string]any{"cpu": "1Gi"}}},
			main:    multiNIXL,
			prefill: multiSmall,
		},
		"PrefillOnlyOffloads": {
			reason:  "A role without offloading keeps plain NIXL.",
			spec:    map[string]any{"prefill": map[string]any{"kvCacheOffloading": map[string]any{"cpu": "1Gi"}}},
			main:    nixl,
			prefill: multiSmall,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := map[string]any{"model": map[string]any{"uri": "hf://o/m"}}
			for k, v := range tc.spec {
				s[k] = v
			}
			res := buildWith(t, config.Default(), s)
			d := find[*appsv1.Deployment](t, res.Objects, ResourceWorkload)
			got := kvFlag(t, wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer).Args)
			if diff := cmp.Diff(tc.main, got); diff != "" {
				t.Errorf("%s\nmain --kv-transfer-config: -want, +got:\n%s", tc.reason, diff)
			}
			if tc.prefill == "" {
				return
			}
			p := find[*appsv1.Deployment](t, res.Objects, ResourcePrefill)
			got = kvFlag(t, wiring.Container(&p.Spec.Template.Spec, wiring.MainContainer).Args)
			if diff := cmp.Diff(tc.prefill, got); diff != "" {
				t.Errorf("%s\nprefill --kv-transfer-config: -want, +got:\n%s", tc.reason, diff)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(got), &v); err != nil {
				t.Errorf("the flag is not JSON: %v", err)
			}
		})
	}
}

// TestKVCacheTiers pins the volumes, mounts and ephemeral storage of the
// secondary tiers, as KServe attaches them.
func TestKVCacheTiers(t *testing.T) {
	claim := corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Ti")}},
	}
	kv := map[string]any{"cpu": "10Gi", "secondary": []any{
		map[string]any{"fileSystem": map[string]any{"emptyDir": map[string]any{"size": "100Gi"}}},
		map[string]any{"fileSystem": map[string]any{"pvc": map[string]any{"spec": map[string]any{
			"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Ti"}},
		}}}},
		map[string]any{"fileSystem": map[string]any{"pvc": map[string]any{"ref": map[string]any{"name": "kv-shared", "path": "team-a"}}}},
	}}
	wantVolumes := []corev1.Volume{
		{Name: "kv-cache-secondary-0", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr.To(resource.MustParse("100Gi"))}}},
		{Name: "kv-cache-secondary-1", VolumeSource: corev1.VolumeSource{Ephemeral: &corev1.EphemeralVolumeSource{VolumeClaimTemplate: &corev1.PersistentVolumeClaimTemplate{Spec: claim}}}},
		{Name: "kv-cache-secondary-2", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "kv-shared"}}},
	}
	wantMounts := []corev1.VolumeMount{
		{Name: "kv-cache-secondary-0", MountPath: "/mnt/kv-cache-0"},
		{Name: "kv-cache-secondary-1", MountPath: "/mnt/kv-cache-1"},
		{Name: "kv-cache-secondary-2", MountPath: "/mnt/kv-cache-2", SubPath: "team-a"},
	}
	eph := func(req, limit string) map[string]any {
		r := map[string]any{}
		if req != "" {
			r["requests"] = map[string]any{"ephemeral-storage": req}
		}
		if limit != "" {
			r["limits"] = map[string]any{"ephemeral-storage": limit}
		}
		return map[string]any{"containers": []any{map[string]any{"name": "main", "resources": r}}}
	}
	cases := map[string]struct {
		reason             string
		template           map[string]any
		wantReq, wantLimit string
	}{
		"NoEphemeralStorage": {
			reason:  "The emptyDir's size is the container's ephemeral-storage request.",
			wantReq: "100Gi",
		},
		"Request": {
			reason:   "The size is added to the request, as KServe does.",
			template: eph("20Gi", ""),
			wantReq:  "120Gi",
		},
		"RequestAndLimit": {
			reason:    "A limit grows by the size too: the emptyDir counts against it, and a request above the limit is refused.",
			template:  eph("20Gi", "50Gi"),
			wantReq:   "120Gi",
			wantLimit: "150Gi",
		},
		"LimitOnly": {
			reason:    "With a limit and no request Kubernetes requests the limit: the size is added to that.",
			template:  eph("", "50Gi"),
			wantReq:   "150Gi",
			wantLimit: "150Gi",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := map[string]any{"model": map[string]any{"uri": "hf://o/m"}, "kvCacheOffloading": kv}
			if tc.template != nil {
				s["template"] = tc.template
			}
			res := buildWith(t, config.Default(), s)
			pod := find[*appsv1.Deployment](t, res.Objects, ResourceWorkload).Spec.Template.Spec
			main := wiring.Container(&pod, wiring.MainContainer)
			tierVolumes := slices.DeleteFunc(slices.Clone(pod.Volumes), func(v corev1.Volume) bool { return !isTier(v.Name) })
			if diff := cmp.Diff(wantVolumes, tierVolumes); diff != "" {
				t.Errorf("%s\nvolumes: -want, +got:\n%s", tc.reason, diff)
			}
			tierMounts := slices.DeleteFunc(slices.Clone(main.VolumeMounts), func(m corev1.VolumeMount) bool { return !isTier(m.Name) })
			if diff := cmp.Diff(wantMounts, tierMounts); diff != "" {
				t.Errorf("%s\nmounts: -want, +got:\n%s", tc.reason, diff)
			}
			got := func(l corev1.ResourceList) string {
				q, ok := l[corev1.ResourceEphemeralStorage]
				if !ok {
					return ""
				}
				return q.String()
			}
			if diff := cmp.Diff(tc.wantReq, got(main.Resources.Requests)); diff != "" {
				t.Errorf("%s\nephemeral-storage request: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantLimit, got(main.Resources.Limits)); diff != "" {
				t.Errorf("%s\nephemeral-storage limit: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func isTier(name string) bool { return strings.HasPrefix(name, "kv-cache-secondary-") }

// TestKVCacheTiersEveryPod checks that the tiers reach every pod of a
// LeaderWorkerSet, a pipeline stage's Ray worker included, and the flag
// only the pods that run vllm serve.
func TestKVCacheTiersEveryPod(t *testing.T) {
	s := map[string]any{
		"model":             map[string]any{"uri": "hf://o/m"},
		"parallelism":       map[string]any{"pipeline": 2, "tensor": 1},
		"template":          gpus("1"),
		"worker":            map[string]any{},
		"kvCacheOffloading": map[string]any{"cpu": "1Gi", "secondary": []any{map[string]any{"fileSystem": map[string]any{"emptyDir": map[string]any{"size": "5Gi"}}}}},
	}
	res := buildWith(t, config.Default(), s)
	lws := find[*lwsv1.LeaderWorkerSet](t, res.Objects, ResourceWorkloadMN)
	for name, tc := range map[string]struct {
		pod  *corev1.PodSpec
		flag bool
	}{
		"leader": {pod: &lws.Spec.LeaderWorkerTemplate.LeaderTemplate.Spec, flag: true},
		"worker": {pod: &lws.Spec.LeaderWorkerTemplate.WorkerTemplate.Spec},
	} {
		main := wiring.Container(tc.pod, wiring.MainContainer)
		if !slices.ContainsFunc(tc.pod.Volumes, func(v corev1.Volume) bool { return v.Name == "kv-cache-secondary-0" }) {
			t.Errorf("%s: no volume kv-cache-secondary-0 in %v", name, tc.pod.Volumes)
		}
		if !slices.ContainsFunc(main.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/mnt/kv-cache-0" }) {
			t.Errorf("%s: /mnt/kv-cache-0 not mounted: %v", name, main.VolumeMounts)
		}
		if got := kvFlag(t, main.Args) != ""; got != tc.flag {
			t.Errorf("%s: --kv-transfer-config passed: want %t, got %t (%v)", name, tc.flag, got, main.Args)
		}
	}
}
