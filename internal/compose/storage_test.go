package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// identity is who a container's processes run as, once the pod's security
// context is applied under the container's own.
type identity struct {
	User, Group *int64
	NonRoot     *bool
}

func identityOf(pod *corev1.PodSpec, c *corev1.Container) identity {
	var id identity
	if ps := pod.SecurityContext; ps != nil {
		id = identity{ps.RunAsUser, ps.RunAsGroup, ps.RunAsNonRoot}
	}
	if cs := c.SecurityContext; cs != nil {
		if cs.RunAsUser != nil {
			id.User = cs.RunAsUser
		}
		if cs.RunAsGroup != nil {
			id.Group = cs.RunAsGroup
		}
		if cs.RunAsNonRoot != nil {
			id.NonRoot = cs.RunAsNonRoot
		}
	}
	return id
}

// TestModelcarRunsAsVLLM checks that in every model-server pod the modelcar
// runs as the user and group vLLM runs as, whichever layer sets them: vLLM
// reads the model through the modelcar's /proc/<pid>/root, which the
// kernel refuses across users once capabilities are dropped.
func TestModelcarRunsAsVLLM(t *testing.T) {
	withUser := func(u int64) config.Config {
		c := config.Default()
		c.RunAsUser = ptr.To(u)
		return c
	}
	mainSC := func(sc map[string]any) map[string]any {
		return map[string]any{"containers": []any{map[string]any{"name": "main", "securityContext": sc}}}
	}
	cases := map[string]struct {
		cfg      config.Config
		template map[string]any
		prefill  bool
		want     identity
		// userEnv is the USER vLLM gets, "" for none.
		userEnv string
	}{
		"ImageUsers": {
			cfg: config.Default(),
		},
		"InputRunAsUser": {
			cfg:     withUser(1001),
			want:    identity{ptr.To[int64](1001), ptr.To[int64](1001), ptr.To(true)},
			userEnv: "vllm",
		},
		"InputRunAsUserBothRoles": {
			cfg:     withUser(1001),
			prefill: true,
			want:    identity{ptr.To[int64](1001), ptr.To[int64](1001), ptr.To(true)},
			userEnv: "vllm",
		},
		"MainContainerUser": {
			cfg:      config.Default(),
			template: mainSC(map[string]any{"runAsUser": 2000, "runAsGroup": 0, "runAsNonRoot": true}),
			want:     identity{ptr.To[int64](2000), ptr.To[int64](0), ptr.To(true)},
		},
		"MainContainerOverridesInput": {
			cfg:      withUser(1001),
			template: mainSC(map[string]any{"runAsUser": 2000}),
			want:     identity{ptr.To[int64](2000), ptr.To[int64](1001), ptr.To(true)},
			userEnv:  "vllm",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := map[string]any{"model": map[string]any{"uri": "oci://quay.io/example/granite:1.0"}}
			if tc.template != nil {
				s["template"] = tc.template
			}
			if tc.prefill {
				s["prefill"] = map[string]any{}
				s["router"] = map[string]any{"scheduler": map[string]any{}}
			}
			pods := podsOf(t, buildWith(t, tc.cfg, s).Objects, tc.prefill)
			if want := map[bool]int{false: 1, true: 2}[tc.prefill]; len(pods) != want {
				t.Fatalf("%d model-server pods, want %d", len(pods), want)
			}
			for _, p := range pods {
				main, car := wiring.Container(&p.spec, wiring.MainContainer), initContainer(&p.spec, wiring.Modelcar)
				if car == nil {
					t.Fatalf("%s: no modelcar", p.name)
				}
				if diff := cmp.Diff(tc.want, identityOf(&p.spec, main)); diff != "" {
					t.Errorf("%s: vLLM's identity (-want +got):\n%s", p.name, diff)
				}
				if diff := cmp.Diff(identityOf(&p.spec, main), identityOf(&p.spec, car)); diff != "" {
					t.Errorf("%s: the modelcar does not run as vLLM (-vLLM +modelcar):\n%s", p.name, diff)
				}
				var user string
				for _, e := range main.Env {
					if e.Name == "USER" {
						user = e.Value
					}
				}
				if user != tc.userEnv {
					t.Errorf("%s: USER=%q, want %q", p.name, user, tc.userEnv)
				}
			}
		})
	}
}
