package compose

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// TestPodSecurityAllows composes what the Function input's profile allows:
// the refusals are in TestBuildRefuses.
func TestPodSecurityAllows(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	router := map[string]any{"route": map[string]any{}, "gateway": map[string]any{}, "scheduler": map[string]any{}}
	privileged := map[string]any{"containers": []any{map[string]any{"name": "main", "securityContext": map[string]any{"privileged": true}}}, "hostNetwork": true}
	rdma := map[string]any{"containers": []any{map[string]any{"name": "main", "securityContext": map[string]any{"capabilities": map[string]any{"add": []any{"IPC_LOCK"}}}}}}
	cases := map[string]struct {
		reason string
		spec   map[string]any
		level  v1beta1.PodSecurityLevel
		ipc    bool
		user   *int64
	}{
		"Default": {
			reason: "The function's own pods, the picker's too, meet the default baseline.",
			spec:   map[string]any{"model": model, "router": router},
		},
		"Privileged": {
			reason: "A platform whose namespaces run privileged pods turns the checks off.",
			spec:   map[string]any{"model": model, "template": privileged},
			level:  v1beta1.PodSecurityPrivileged,
		},
		"IPCLock": {
			reason: "RDMA's IPC_LOCK, as KServe's manifests add it, composes unchanged where the input allows it.",
			spec:   map[string]any{"model": model, "template": rdma},
			ipc:    true,
		},
		"IPCLockRestricted": {
			reason: "IPC_LOCK is allowed at restricted too: every other capability is still dropped.",
			spec:   map[string]any{"model": model, "template": rdma},
			level:  v1beta1.PodSecurityRestricted,
			ipc:    true,
			user:   ptr.To[int64](1000),
		},
		"RestrictedNonRoot": {
			reason: "With modelServer.runAsUser every pod, the storage initializer's and the picker's too, meets restricted.",
			spec:   map[string]any{"model": model, "router": router, "prefill": map[string]any{}},
			level:  v1beta1.PodSecurityRestricted,
			user:   ptr.To[int64](1000),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			if tc.level != "" {
				cfg.PodSecurityLevel = tc.level
			}
			cfg.AllowIPCLock, cfg.RunAsUser = tc.ipc, tc.user
			if _, errs := Build(decodeWith(t, cfg, tc.spec), cfg); len(errs) > 0 {
				t.Errorf("%s\nBuild: %v", tc.reason, errs.ToAggregate())
			}
		})
	}
}

// TestPodChecksAgreeWithEvaluator checks that running the Pod Security
// checks one by one, as checkPodSecurity does to name the field, finds
// what the admission controller's own evaluator finds.
func TestPodChecksAgreeWithEvaluator(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pod := func(s string) *corev1.PodSpec {
		var p corev1.PodSpec
		if err := json.Unmarshal([]byte(s), &p); err != nil {
			t.Fatal(err)
		}
		return &p
	}
	pods := map[string]*corev1.PodSpec{
		"Plain":       pod(`{"containers": [{"name": "main"}]}`),
		"Hardened":    pod(`{"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "main", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}`),
		"Privileged":  pod(`{"containers": [{"name": "main", "securityContext": {"privileged": true}}]}`),
		"HostPath":    pod(`{"volumes": [{"name": "h", "hostPath": {"path": "/"}}], "containers": [{"name": "main"}]}`),
		"Host":        pod(`{"hostNetwork": true, "hostIPC": true, "containers": [{"name": "main", "ports": [{"containerPort": 80, "hostPort": 80}]}]}`),
		"Capability":  pod(`{"initContainers": [{"name": "init", "securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}], "containers": [{"name": "main"}]}`),
		"Unconfined":  pod(`{"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "main"}]}`),
		"Sysctl":      pod(`{"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}, "containers": [{"name": "main"}]}`),
		"RootUser":    pod(`{"securityContext": {"runAsUser": 0}, "containers": [{"name": "main"}]}`),
		"ProcMount":   pod(`{"containers": [{"name": "main", "securityContext": {"procMount": "Unmasked"}}]}`),
		"Escalation":  pod(`{"containers": [{"name": "main", "securityContext": {"allowPrivilegeEscalation": true}}]}`),
		"SELinuxType": pod(`{"containers": [{"name": "main", "securityContext": {"seLinuxOptions": {"type": "spc_t"}}}]}`),
	}
	meta := &metav1.ObjectMeta{}
	for _, level := range []api.Level{api.LevelBaseline, api.LevelRestricted} {
		for name, p := range pods {
			t.Run(string(level)+"/"+name, func(t *testing.T) {
				want := policy.AggregateCheckResults(eval.EvaluatePod(api.LevelVersion{Level: level, Version: api.LatestVersion()}, meta, p))
				var got []string
				for _, c := range podChecks()[level] {
					if r := c.fn(meta, p); !r.Allowed {
						got = append(got, r.ForbiddenReason)
					}
				}
				w := slices.Clone(want.ForbiddenReasons)
				slices.Sort(w)
				slices.Sort(got)
				if diff := cmp.Diff(w, got); diff != "" {
					t.Errorf("forbidden reasons: -evaluator, +one by one:\n%s", diff)
				}
			})
		}
	}
}

// TestComposedPodsCoverEveryPodTemplate makes sure no composed object holds
// containers that the pod security and metadata checks do not see: a new
// workload kind must be added to composedPods.
func TestComposedPodsCoverEveryPodTemplate(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	router := map[string]any{"route": map[string]any{}, "gateway": map[string]any{}, "scheduler": map[string]any{}}
	specs := map[string]map[string]any{
		"SingleNode": {"model": model, "router": router},
		"PD":         {"model": model, "router": router, "prefill": map[string]any{}},
		"MultiNode": {"model": model, "router": router, "parallelism": map[string]any{"data": 4, "dataLocal": 2}, "template": gpus("2"),
			"worker": map[string]any{}, "prefill": map[string]any{"parallelism": map[string]any{"pipeline": 2}, "worker": map[string]any{}}},
	}
	for name, s := range specs {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			svc := decodeWith(t, cfg, s)
			res, errs := Build(svc, cfg)
			if len(errs) > 0 {
				t.Fatal(errs.ToAggregate())
			}
			b := &builder{svc: svc, cfg: cfg}
			pods := 0
			for _, o := range res.Objects {
				j, err := json.Marshal(o.Object)
				if err != nil {
					t.Fatal(err)
				}
				cps := b.composedPods(o.Object)
				pods += len(cps)
				if holds := strings.Contains(string(j), `"containers":`); holds != (len(cps) > 0) {
					t.Errorf("%s %s holds containers: %t; pod templates checked: %d", describeObject(o.Object), o.Name, holds, len(cps))
				}
				for _, cp := range cps {
					if cp.spec == nil || !strings.HasPrefix(cp.spec.String(), "spec.") {
						t.Errorf("%s: pod template at %v, want a spec path", describeObject(o.Object), cp.spec)
					}
				}
			}
			if pods == 0 {
				t.Error("no pod templates found")
			}
		})
	}
}
