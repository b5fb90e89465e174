package templates

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// input is the service and platform every test renders for.
var input = Input{
	Name:            "llama",
	Namespace:       "team",
	Labels:          map[string]string{"app": "chat", "tier": "gold"},
	Annotations:     map[string]string{"owner": "search"},
	ManagedPoolName: "llama-inference-pool",
	Global: GlobalConfig{
		SystemNamespace:             "platform",
		IngressGatewayName:          "inference",
		IngressGatewayNamespace:     "gateways",
		ModelBasedRoutingHeaderName: "X-Gateway-Model-Name",
	},
}

// obj decodes a spec written as JSON, as Crossplane delivers one.
func obj(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// withArgs is a spec whose main container has these args, the rest of spec
// around them.
func withArgs(args, rest string) string {
	if rest != "" {
		rest = ", " + rest
	}
	return `{"model": {"uri": "hf://o/m"}, "template": {"containers": [{"name": "main", "args": [` + args + `]}]}` + rest + `}`
}

// TestRender renders templates in every kind of place a spec holds a
// string, with every part of the data KServe's templates read, its
// functions and text/template's builtins.
func TestRender(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   string
		in     *Input
		want   string
	}{
		"NoTemplates": {
			reason: "A spec without an action is returned as it is.",
			spec:   withArgs(`"--x={ not a template }"`, ""),
			want:   withArgs(`"--x={ not a template }"`, ""),
		},
		"ObjectMeta": {
			reason: "The service's name, namespace, labels and annotations, also through the embedded ObjectMeta as KServe's dot has it.",
			spec:   withArgs(`"{{ .ObjectMeta.Name }}/{{ .ObjectMeta.Namespace }}", "{{ .Name }}.{{ .Namespace }}", "{{ .ObjectMeta.Labels.tier }}", "{{ index .ObjectMeta.Annotations \"owner\" }}"`, ""),
			want:   withArgs(`"llama/team", "llama.team", "gold", "search"`, ""),
		},
		"ChildName": {
			reason: "KServe's ChildName names a child of the service.",
			spec:   withArgs(`"tcp://{{ ChildName .ObjectMeta.Name `+"`-epp`"+` }}.{{ .ObjectMeta.Namespace }}.svc:5557"`, ""),
			want:   withArgs(`"tcp://llama-epp.team.svc:5557"`, ""),
		},
		"SpecFieldsAsKServeSpellsThem": {
			reason: "Go field names as KServe's types spell them; WorkloadSpec's fields through the embedding; pointers print their value.",
			spec: withArgs(`"--tensor-parallel-size={{ .Spec.Parallelism.Tensor }}", "{{ .Spec.Model.URI }}", "{{ .Spec.Replicas }}", "{{ .Spec.Prefill.Parallelism.Data }}", "{{ .Spec.Parallelism.Expert }}"`,
				`"replicas": 3, "parallelism": {"tensor": 4}, "prefill": {"parallelism": {"data": 8, "dataLocal": 8}}`),
			want: withArgs(`"--tensor-parallel-size=4", "hf://o/m", "3", "8", "false"`,
				`"replicas": 3, "parallelism": {"tensor": 4}, "prefill": {"parallelism": {"data": 8, "dataLocal": 8}}`),
		},
		"ModelNameDefaultsToTheService": {
			reason: "KServe's defaulter names the model after the service.",
			spec:   withArgs(`"--served-model-name={{ .Spec.Model.Name }}"`, ""),
			want:   withArgs(`"--served-model-name=llama"`, ""),
		},
		"ModelName": {
			reason: "A model name set is the model name.",
			spec:   `{"model": {"uri": "hf://o/m", "name": "meta/llama"}, "labels": {"model": "{{ .Spec.Model.Name | urlquery }}"}}`,
			want:   `{"model": {"uri": "hf://o/m", "name": "meta/llama"}, "labels": {"model": "meta%2Fllama"}}`,
		},
		"GlobalConfig": {
			reason: "Every field of KServe's GlobalConfig, from the Function input; the pool is the managed one.",
			spec: withArgs(`"{{ .GlobalConfig.SystemNamespace }}", "{{ .GlobalConfig.IngressGatewayNamespace }}/{{ .GlobalConfig.IngressGatewayName }}", "{{ .GlobalConfig.EnableTLS }}", "{{ .GlobalConfig.ModelBasedRoutingHeaderName }}", "{{ .GlobalConfig.InferencePoolNamespacedName }}"`,
				`"router": {"scheduler": {}}`),
			want: withArgs(`"platform", "gateways/inference", "false", "X-Gateway-Model-Name", "team/llama-inference-pool"`, `"router": {"scheduler": {}}`),
		},
		"GlobalConfigPoolRef": {
			reason: "A referenced pool is the pool the traffic goes through.",
			spec:   withArgs(`"--inference-pool={{ .GlobalConfig.InferencePoolNamespacedName }}"`, `"router": {"scheduler": {"pool": {"ref": {"name": "shared"}}}}`),
			want:   withArgs(`"--inference-pool=team/shared"`, `"router": {"scheduler": {"pool": {"ref": {"name": "shared"}}}}`),
		},
		"EveryString": {
			reason: "Strings in lists, in maps (labels, annotations, node selectors), in env, in a quantity, in an inline picker configuration and in a route spec are all rendered; map keys are not.",
			spec: `{"model": {"uri": "hf://o/m"}, "parallelism": {"tensor": 2},
			  "labels": {"{{ keep }}": "{{ .ObjectMeta.Name }}"}, "annotations": {"a": "{{ .ObjectMeta.Namespace }}"},
			  "template": {"nodeSelector": {"pool": "{{ .ObjectMeta.Labels.tier }}"}, "containers": [{"name": "main",
			    "env": [{"name": "POOL", "value": "{{ .GlobalConfig.InferencePoolNamespacedName }}"}],
			    "resources": {"limits": {"nvidia.com/gpu": "{{ .Spec.Parallelism.Tensor }}"}}}]},
			  "router": {"route": {"http": {"spec": {"hostnames": ["{{ .ObjectMeta.Name }}.example.com"]}}},
			    "scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-scorer", "parameters": {"modelName": "{{ .Spec.Model.Name }}"}}]}}}}}`,
			want: `{"model": {"uri": "hf://o/m"}, "parallelism": {"tensor": 2},
			  "labels": {"{{ keep }}": "llama"}, "annotations": {"a": "team"},
			  "template": {"nodeSelector": {"pool": "gold"}, "containers": [{"name": "main",
			    "env": [{"name": "POOL", "value": "team/llama-inference-pool"}],
			    "resources": {"limits": {"nvidia.com/gpu": "2"}}}]},
			  "router": {"route": {"http": {"spec": {"hostnames": ["llama.example.com"]}}},
			    "scheduler": {"config": {"inline": {"plugins": [{"type": "precise-prefix-cache-scorer", "parameters": {"modelName": "llama"}}]}}}}}`,
		},
		"SeesTemplatesAsWritten": {
			reason: "The data is the spec before rendering: a template reading another template's field sees it as written, and what it renders is not rendered again.",
			spec:   `{"model": {"uri": "hf://o/m", "name": "{{ .ObjectMeta.Name }}-chat"}, "labels": {"model": "{{ .Spec.Model.Name }}"}}`,
			want:   `{"model": {"uri": "hf://o/m", "name": "llama-chat"}, "labels": {"model": "{{ .ObjectMeta.Name }}-chat"}}`,
		},
		"AnyCharacter": {
			reason: "Each string renders on its own, so quotes, backslashes and newlines in a rendered value stay what they are (they break KServe's JSON text).",
			spec:   withArgs(`"{{ printf \"%q\" .ObjectMeta.Name }}\n\\{{ .ObjectMeta.Name }}"`, ""),
			want:   withArgs(`"\"llama\"\n\\llama"`, ""),
		},
		"ShutdownTimeout": {
			reason: "KServe's shutdownTimeout: the pod's grace period less the preStop sleep and a 5s margin, 60s when unset, never negative, a missing pod as unset.",
			spec: withArgs(`"{{ shutdownTimeout .Spec.Template 15 }}", "{{ shutdownTimeout .Spec.Prefill.Template 15 }}", "{{ shutdownTimeout .Spec.Worker 15 }}", "{{ shutdownTimeout .Spec.Template 200 }}"`,
				`"prefill": {"template": {"containers": []}}`),
			want: withArgs(`"40", "40", "40", "0"`,
				`"prefill": {"template": {"containers": []}}`),
		},
		"ShutdownTimeoutGrace": {
			reason: "The grace period the pod sets.",
			spec: `{"model": {"uri": "hf://o/m"}, "template": {"terminationGracePeriodSeconds": 120,
			  "containers": [{"name": "main", "args": ["--shutdown-timeout={{ shutdownTimeout .Spec.Template 15 }}"]}]}}`,
			want: `{"model": {"uri": "hf://o/m"}, "template": {"terminationGracePeriodSeconds": 120,
			  "containers": [{"name": "main", "args": ["--shutdown-timeout=100"]}]}}`,
		},
		"KVTransferConfigNone": {
			reason: "No offloading, no flag: KServe's presets call it for every service.",
			spec:   withArgs(`"KV_TRANSFER_ARGS=\"{{ kvTransferConfig .Spec.KVCacheOffloading }}\"", "{{ if .Spec.Prefill }}{{ kvTransferConfig .Spec.Prefill.KVCacheOffloading }}{{ end }}"`, ""),
			want:   withArgs(`"KV_TRANSFER_ARGS=\"\"", ""`, ""),
		},
		"KVTransferConfig": {
			reason: "KServe's flag: CPU bytes, eviction policy and one fs tier per secondary tier with a file system, numbered by its index; every quote written \\\" as KServe's field holds it.",
			spec: withArgs(`"{{ kvTransferConfig .Spec.KVCacheOffloading }}", "{{ kvTransferConfig .Spec.Prefill.KVCacheOffloading }}"`,
				`"kvCacheOffloading": {"cpu": "10Gi", "evictionPolicy": "lru", "secondary": [{"fileSystem": {"emptyDir": {"size": "100Gi"}}}, {}, {"fileSystem": {"pvc": {"ref": {"name": "kv"}}}}]},
				 "prefill": {"kvCacheOffloading": {"cpu": 1000}}`),
			want: withArgs(`"--kv-transfer-config '{\\\"kv_connector\\\":\\\"OffloadingConnector\\\",\\\"kv_connector_extra_config\\\":{\\\"cpu_bytes_to_use\\\":10737418240,\\\"eviction_policy\\\":\\\"lru\\\",\\\"secondary_tiers\\\":[{\\\"root_dir\\\":\\\"/mnt/kv-cache-0\\\",\\\"type\\\":\\\"fs\\\"},{\\\"root_dir\\\":\\\"/mnt/kv-cache-2\\\",\\\"type\\\":\\\"fs\\\"}],\\\"spec_name\\\":\\\"TieringOffloadingSpec\\\"},\\\"kv_role\\\":\\\"kv_both\\\"}'",
				"--kv-transfer-config '{\\\"kv_connector\\\":\\\"OffloadingConnector\\\",\\\"kv_connector_extra_config\\\":{\\\"cpu_bytes_to_use\\\":1000,\\\"spec_name\\\":\\\"TieringOffloadingSpec\\\"},\\\"kv_role\\\":\\\"kv_both\\\"}'"`,
				`"kvCacheOffloading": {"cpu": "10Gi", "evictionPolicy": "lru", "secondary": [{"fileSystem": {"emptyDir": {"size": "100Gi"}}}, {}, {"fileSystem": {"pvc": {"ref": {"name": "kv"}}}}]},
				 "prefill": {"kvCacheOffloading": {"cpu": 1000}}`),
		},
		"PrintfDereferences": {
			reason: "A pointer passed to printf prints what it points to, as an action prints it, not its address.",
			spec:   withArgs(`"{{ printf \"%d-%s\" .Spec.Parallelism.Tensor .Spec.Model.Name }}", "{{ print .Spec.Replicas }}"`, `"parallelism": {"tensor": 4}, "replicas": 3`),
			want:   withArgs(`"4-llama", "3"`, `"parallelism": {"tensor": 4}, "replicas": 3`),
		},
		"Quantities": {
			reason: "A quantity prints as written in a manifest, from a map too.",
			spec: `{"model": {"uri": "hf://o/m"}, "kvCacheOffloading": {"cpu": "10Gi"}, "labels": {"cpu": "{{ .Spec.KVCacheOffloading.CPU }}"},
			  "template": {"containers": [{"name": "main", "resources": {"limits": {"memory": "64Gi"}}, "args": ["{{ range $k, $v := (index .Spec.Template.Containers 0).Resources.Limits }}{{ $k }}={{ $v }}{{ end }}", "{{ printf \"%s\" .Spec.KVCacheOffloading.CPU }}"]}]}}`,
			want: `{"model": {"uri": "hf://o/m"}, "kvCacheOffloading": {"cpu": "10Gi"}, "labels": {"cpu": "10Gi"},
			  "template": {"containers": [{"name": "main", "resources": {"limits": {"memory": "64Gi"}}, "args": ["memory=64Gi", "10Gi"]}]}}`,
		},
		"Builtins": {
			reason: "text/template's builtins: conditions, defaults with or, ranges over a map in key order, with, variables, printf, len, slice, js.",
			spec: withArgs(`"{{ if .Spec.Prefill }}pd{{ else }}single{{ end }}", "--data-parallel-size={{ or .Spec.Parallelism.Data 1 }}", "{{ range $k, $v := .ObjectMeta.Labels }}{{ $k }}={{ $v }};{{ end }}", "{{ with .Spec.Parallelism }}{{ .Tensor }}{{ end }}", "{{ $n := .ObjectMeta.Name }}{{ printf \"%s-%d\" $n (len $n) }}", "{{ slice .ObjectMeta.Name 0 2 }}", "{{ js \"a'b\" }}"`,
				`"parallelism": {"tensor": 2}`),
			want: withArgs(`"single", "--data-parallel-size=1", "app=chat;tier=gold;", "2", "llama-5", "ll", "a\\'b"`, `"parallelism": {"tensor": 2}`),
		},
		"NestedTemplates": {
			reason: "Templates may define and call templates, within one string.",
			spec:   withArgs(`"{{ define \"ep\" }}tcp://{{ . }}:5557{{ end }}{{ template \"ep\" ChildName .ObjectMeta.Name `+"`-epp`"+` }}"`, ""),
			want:   withArgs(`"tcp://llama-epp:5557"`, ""),
		},
		"EscapedBraces": {
			reason: "Text that must keep {{ (a Jinja chat template) prints it from a raw string.",
			spec:   withArgs(`"--chat-template={{`+"`{{`"+`}} messages {{`+"`}}`"+`}}"`, ""),
			want:   withArgs(`"--chat-template={{ messages }}"`, ""),
		},
		"LegacyClaim": {
			reason: "What Input says the service is, a claim's name and namespace for a legacy XR, is what templates see.",
			spec:   withArgs(`"{{ .ObjectMeta.Namespace }}/{{ ChildName .ObjectMeta.Name `+"`-epp`"+` }}"`, ""),
			in:     &Input{Name: "qwen", Namespace: "team-a", ManagedPoolName: "qwen-inference-pool"},
			want:   withArgs(`"team-a/qwen-epp"`, ""),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := input
			if tc.in != nil {
				in = *tc.in
			}
			spec := obj(t, tc.spec)
			before := obj(t, tc.spec)
			got, errs, err := Render(spec, in)
			if err != nil || len(errs) > 0 {
				t.Fatalf("%s\nRender: %v %v", tc.reason, err, errs)
			}
			if diff := cmp.Diff(obj(t, tc.want), got); diff != "" {
				t.Errorf("%s\nRender: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(before, spec); diff != "" {
				t.Errorf("Render modified the spec it was given: -before, +after:\n%s", diff)
			}
		})
	}
}

// TestRenderDeterministic renders the same templates many times: the
// output and the errors must be the same bytes every time, map order
// notwithstanding.
func TestRenderDeterministic(t *testing.T) {
	const spec = `{"model": {"uri": "hf://o/m"}, "labels": {"a": "{{ .Spec.Nope }}", "b": "{{ .ObjectMeta.Name }}", "c": "{{ range $k, $v := .ObjectMeta.Labels }}{{ $k }}{{ end }}", "d": "{{ .Oops"}}`
	var first string
	for i := range 20 {
		_, errs, err := Render(obj(t, spec), input)
		if err != nil {
			t.Fatal(err)
		}
		got := errs.ToAggregate().Error()
		if i == 0 {
			first = got
			if !strings.Contains(got, "spec.labels[a]") || !strings.Contains(got, "spec.labels[d]") {
				t.Fatalf("want errors for labels a and d, got %s", got)
			}
			continue
		}
		if got != first {
			t.Fatalf("call %d gave other errors:\n%s\nthan the first:\n%s", i, got, first)
		}
	}
}
