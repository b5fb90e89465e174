package compose

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// TestPickerPlugins checks what the plugins of the picker's configuration
// compose, inline or read from the ConfigMap config.ref names: KV events
// (the picker's ZMQ port, vLLM's flags and env on both roles), the
// tokenizer and its wiring into the configuration, and the latency
// predictor's sidecars.
func TestPickerPlugins(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m", "name": "m"}
	inline := func(plugins ...any) map[string]any {
		return map[string]any{"inline": map[string]any{"plugins": plugins}}
	}
	plugin := func(typ string, params map[string]any) map[string]any {
		m := map[string]any{"type": typ}
		if params != nil {
			m["parameters"] = params
		}
		return m
	}
	legacy := plugin("precise-prefix-cache-scorer", map[string]any{
		"tokenProcessorConfig": map[string]any{"blockSize": 64, "hashSeed": "42"},
		"indexerConfig":        map[string]any{"tokenizersPoolConfig": map[string]any{"modelName": "m"}},
	})
	endpoint := "tcp://llama-epp.team-a.svc.cluster.local:5557"
	kvArgs := func(block string) []string {
		return []string{
			"--kv-events-config", `{"enable_kv_cache_events":true,"publisher":"zmq","endpoint":"` + endpoint + `","topic":"kv@$(POD_IP):8000@m"}`,
			"--block-size", block, "--prefix-caching-hash-algo", "sha256_cbor",
		}
	}
	cases := map[string]struct {
		reason    string
		spec      map[string]any
		refText   string
		wantKV    []string // vLLM's KV-events flags on every role; nil for none
		wantSeed  string   // PYTHONHASHSEED on vLLM
		wantZMQ   bool
		wantTok   bool
		wantLP    bool
		wantNode  string // the tokenizer's nodeSelector pool, from its template
		wantPlugs string // the composed configuration's plugins, as YAML; "" to skip
	}{
		"DefaultConfigNeedsNothing": {
			reason: "The default scorers read the picker's own view of prefixes.",
			spec:   map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{}}},
		},
		"LegacyScorerIsDecomposed": {
			reason: "The legacy scorer composes KV events with its block size and seed, and the tokenizer, and becomes KServe's three plugins.",
			spec:   map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{"config": inline(legacy)}}},
			wantKV: kvArgs("64"), wantSeed: "42", wantZMQ: true, wantTok: true,
			wantPlugs: `- parameters:
    modelName: /mnt/models
    vllm:
      url: http://llama-tokenizer.team-a.svc.cluster.local:8000
  type: token-producer
- parameters:
    tokenProcessorConfig:
      blockSize: 64
      hashSeed: "42"
  type: precise-prefix-cache-producer
- name: precise-prefix-cache-scorer
  parameters:
    prefixMatchInfoProducerName: precise-prefix-cache-producer
  type: prefix-cache-scorer
`,
		},
		"TokenProducerKeepsItsOwnURL": {
			reason: "A token-producer that names its URL keeps it; the model name is filled in.",
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{"config": inline(
				plugin("token-producer", map[string]any{"vllm": map[string]any{"url": "http://mine:8000"}}),
				plugin("precise-prefix-cache-producer", nil),
			)}}},
			wantKV: kvArgs("16"), wantZMQ: true, wantTok: true,
			wantPlugs: `- parameters:
    modelName: /mnt/models
    vllm:
      url: http://mine:8000
  type: token-producer
- type: precise-prefix-cache-producer
`,
		},
		"RefIsDetected": {
			reason: "Plugins of the ConfigMap config.ref names compose what they need, which KServe only warns about.",
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{
				"config": map[string]any{"ref": map[string]any{"name": "tuned"}},
			}}},
			refText: "plugins:\n- type: precise-prefix-cache-producer\n  parameters: {tokenProcessorConfig: {blockSize: 32}}\n- type: predicted-latency-producer\n",
			wantKV:  kvArgs("32"), wantZMQ: true, wantLP: true,
		},
		"BothRolesPublish": {
			reason: "Prefill and decode pods both publish their KV events, under the pool's port.",
			spec: map[string]any{"model": model, "prefill": map[string]any{}, "router": map[string]any{"scheduler": map[string]any{
				"config": inline(plugin("precise-prefix-cache-producer", nil)),
			}}},
			wantKV: kvArgs("16"), wantZMQ: true,
		},
		"UsersKVEventsConfigWins": {
			reason: "A --kv-events-config of the user's, as KServe's samples write, replaces the function's.",
			spec: map[string]any{"model": model,
				"template": map[string]any{"containers": []any{map[string]any{"name": "main", "args": []any{"--kv-events-config=$(KV_EVENTS_CONFIG)"}}}},
				"router":   map[string]any{"scheduler": map[string]any{"config": inline(plugin("token-producer", nil))}}},
			wantKV: []string{"--block-size", "16", "--prefix-caching-hash-algo", "sha256_cbor"}, wantZMQ: true, wantTok: true,
		},
		"TokenizerAsked": {
			reason: "scheduler.tokenizer composes the tokenizer without KV events.",
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{
				"tokenizer": map[string]any{"template": map[string]any{"nodeSelector": map[string]any{"pool": "cpu"}}},
			}}},
			wantTok: true, wantNode: "cpu",
		},
		"LatencyPredictorInline": {
			reason: "predicted-latency-producer adds the sidecars.",
			spec: map[string]any{"model": model, "router": map[string]any{"scheduler": map[string]any{
				"config": inline(plugin("predicted-latency-producer", nil)),
			}}},
			wantLP: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := config.Default()
			svc := decodeWith(t, cfg, tc.spec)
			svc.PickerConfigRef = tc.refText
			res, errs := Build(svc, cfg)
			if len(errs) > 0 {
				t.Fatalf("%s\nBuild: %v", tc.reason, errs.ToAggregate())
			}
			for _, wl := range res.Workloads {
				d := find[*appsv1.Deployment](t, res.Objects, wl.Resource)
				main := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
				if diff := cmp.Diff(tc.wantKV, kvFlags(main.Args)); diff != "" {
					t.Errorf("%s\n%s: KV-events flags (-want +got):\n%s", tc.reason, wl.Resource, diff)
				}
				if got := hasEnv(main, wiring.EnvPodIP); got != (tc.wantKV != nil) {
					t.Errorf("%s\n%s: POD_IP set %t, want %t", tc.reason, wl.Resource, got, tc.wantKV != nil)
				}
				if got := envValue(main, wiring.EnvPythonHashSeed); got != tc.wantSeed {
					t.Errorf("%s\n%s: PYTHONHASHSEED %q, want %q", tc.reason, wl.Resource, got, tc.wantSeed)
				}
			}
			ps := find[*corev1.Service](t, res.Objects, resourcePickerService)
			zmq := slices.ContainsFunc(ps.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == wiring.PickerKVEventsPort })
			if zmq != tc.wantZMQ {
				t.Errorf("%s\npicker Service exposes %d: %t, want %t", tc.reason, wiring.PickerKVEventsPort, zmq, tc.wantZMQ)
			}
			np := find[*networkingv1.NetworkPolicy](t, res.Objects, resourcePickerNetworkPolicy)
			admits := slices.ContainsFunc(np.Spec.Ingress, func(r networkingv1.NetworkPolicyIngressRule) bool {
				return len(r.Ports) == 1 && r.Ports[0].Port.IntVal == wiring.PickerKVEventsPort && len(r.From) == len(res.Workloads)
			})
			if admits != tc.wantZMQ {
				t.Errorf("%s\npicker NetworkPolicy admits every role on %d: %t, want %t", tc.reason, wiring.PickerKVEventsPort, admits, tc.wantZMQ)
			}
			tok := slices.ContainsFunc(res.Objects, func(o Object) bool { return o.Name == ResourceTokenizerDeployment })
			if tok != tc.wantTok {
				t.Errorf("%s\ntokenizer composed %t, want %t", tc.reason, tok, tc.wantTok)
			}
			if tok {
				checkTokenizer(t, res, tc.reason)
				d := find[*appsv1.Deployment](t, res.Objects, ResourceTokenizerDeployment)
				if got := d.Spec.Template.Spec.NodeSelector["pool"]; got != tc.wantNode {
					t.Errorf("%s\ntokenizer nodeSelector pool %q, want %q", tc.reason, got, tc.wantNode)
				}
			}
			pd := find[*appsv1.Deployment](t, res.Objects, ResourcePickerDeployment)
			lp := wiring.Container(&pd.Spec.Template.Spec, latencyPredictionContainer) != nil &&
				wiring.Container(&pd.Spec.Template.Spec, latencyTrainingContainer) != nil &&
				envValue(wiring.Container(&pd.Spec.Template.Spec, wiring.MainContainer), "PREDICTION_SERVER_URL") == "http://localhost:8001"
			if lp != tc.wantLP {
				t.Errorf("%s\nlatency predictor sidecars %t, want %t", tc.reason, lp, tc.wantLP)
			}
			if tc.wantPlugs != "" {
				cm := find[*corev1.ConfigMap](t, res.Objects, resourcePickerConfig)
				var doc map[string]any
				if err := yaml.Unmarshal([]byte(cm.Data[pickerConfigKey]), &doc); err != nil {
					t.Fatal(err)
				}
				got, _ := yaml.Marshal(doc["plugins"])
				if diff := cmp.Diff(tc.wantPlugs, string(got)); diff != "" {
					t.Errorf("%s\nplugins (-want +got):\n%s", tc.reason, diff)
				}
			}
		})
	}
}

// checkTokenizer checks the tokenizer is wired: the render server on the
// model, a Service on its port, the picker admitted to it, and
// scheduler.tokenizer.template merged.
func checkTokenizer(t *testing.T, res *Result, reason string) {
	t.Helper()
	d := find[*appsv1.Deployment](t, res.Objects, ResourceTokenizerDeployment)
	pod := d.Spec.Template.Spec
	main := wiring.Container(&pod, wiring.MainContainer)
	if want := "vllm launch render /mnt/models --port=8000"; strings.Join(main.Command, " ") != want {
		t.Errorf("%s\ntokenizer command %q, want %q", reason, main.Command, want)
	}
	if !slices.ContainsFunc(main.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == modelPath }) ||
		initContainer(&pod, wiring.StorageInitializer) == nil {
		t.Errorf("%s\nthe tokenizer has no model: %+v", reason, main.VolumeMounts)
	}
	s := find[*corev1.Service](t, res.Objects, resourceTokenizerService)
	if s.Name != "llama-tokenizer" || s.Spec.Ports[0].Port != wiring.TokenizerPort {
		t.Errorf("%s\ntokenizer Service %s %+v", reason, s.Name, s.Spec.Ports)
	}
	np := find[*networkingv1.NetworkPolicy](t, res.Objects, resourceTokenizerNetworkPolicy)
	if got := np.Spec.Ingress[0].From[0].PodSelector.MatchLabels[labelComponent]; got != componentScheduler {
		t.Errorf("%s\ntokenizer NetworkPolicy admits %q, want the picker", reason, got)
	}
	if !slices.ContainsFunc(res.PodSets, func(p PodSet) bool { return p.Resource == ResourceTokenizerDeployment }) {
		t.Errorf("%s\nno PodSet for the tokenizer", reason)
	}
}

// kvFlags are the KV-events flags of args with their values.
func kvFlags(args []string) []string {
	var out []string
	for i, a := range args {
		switch a {
		case wiring.FlagKVEventsConfig, wiring.FlagBlockSize, wiring.FlagPrefixCachingHashAlgo:
			if i+1 < len(args) {
				out = append(out, a, args[i+1])
			}
		}
	}
	return out
}

func envValue(c *corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
