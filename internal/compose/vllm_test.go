package compose

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	lwsv1 "sigs.k8s.io/lws/api/leaderworkerset/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// TestVLLMCommandLine pins what vLLM is started with when the user's flags
// come from args, VLLM_ADDITIONAL_ARGS or the user's own vllm serve: each
// reaches vLLM once, after the function's, and the function's command
// starts it.
func TestVLLMCommandLine(t *testing.T) {
	model := map[string]any{"uri": "hf://o/m"}
	main := func(fields string) map[string]any {
		var c map[string]any
		mustUnmarshal(t, `{"name": "main", `+fields+`}`, &c)
		return map[string]any{"containers": []any{c}}
	}
	own := []string{"/mnt/models", "--served-model-name", "llama", "publishers/team-a/models/llama", "--port", "8000"}
	with := func(more ...string) []string { return append(append([]string{}, own...), more...) }
	type want struct {
		command []string
		args    []string
		env     []string
	}
	cases := map[string]struct {
		reason string
		spec   map[string]any
		want   want
	}{
		"Default": {
			reason: "The function's flags alone.",
			spec:   map[string]any{"model": model},
			want:   want{command: []string{"vllm", "serve"}, args: own},
		},
		"AdditionalArgs": {
			reason: "VLLM_ADDITIONAL_ARGS reaches vLLM as args, split as bash splits it; the pod does not carry it.",
			spec: map[string]any{"model": model, "template": main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS",
			  "value": "--enable-auto-tool-choice --tool-call-parser 'qwen3_coder' --chat-template \"a b\""}, {"name": "HF_HOME", "value": "/h"}]`)},
			want: want{command: []string{"vllm", "serve"}, args: with("--enable-auto-tool-choice", "--tool-call-parser", "qwen3_coder", "--chat-template", "a b"), env: []string{"HF_HOME"}},
		},
		"TensorFromAdditionalArgs": {
			reason: "Its parallelism counts as the spec's: 4 GPUs for --tensor-parallel-size=4, passed once where the function passes parallelism.",
			spec: map[string]any{"model": model, "template": main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--max-model-len 8192 --tensor-parallel-size=4"}],
			  "args": ["-tp", "4"], "resources": {"limits": {"nvidia.com/gpu": "4"}}`)},
			want: want{command: []string{"vllm", "serve"}, args: with("--tensor-parallel-size", "4", "--max-model-len", "8192")},
		},
		"OwnFlagsRepeated": {
			reason: "Owned flags with the function's values, and a user's repeat, appear once.",
			spec:   map[string]any{"model": model, "template": main(`"args": ["--port", "8000", "--served_model_name=llama", "--model=/mnt/models", "--enforce-eager", "--enforce-eager"]`)},
			want:   want{command: []string{"vllm", "serve"}, args: with("--enforce-eager")},
		},
		"ServedModelAliases": {
			reason: "A --served-model-name with aliases takes the function's place.",
			spec:   map[string]any{"model": model, "template": main(`"args": ["--served-model-name", "llama", "publishers/team-a/models/llama"]`)},
			want:   want{command: []string{"vllm", "serve"}, args: []string{"/mnt/models", "--port", "8000", "--served-model-name", "llama", "publishers/team-a/models/llama"}},
		},
		"UserReplacesDefault": {
			reason: "A default the function sets (the P/D KV transfer) is the user's to replace, and appears once.",
			spec: map[string]any{"model": model, "prefill": map[string]any{}, "template": main(`"env": [{"name": "VLLM_ADDITIONAL_ARGS",
			  "value": "--kv_transfer_config '{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_consumer\"}'"}]`)},
			want: want{command: []string{"vllm", "serve"},
				args: []string{"/mnt/models", "--served-model-name", "llama", "publishers/team-a/models/llama", "--port", "8200", "--kv_transfer_config", `{"kv_connector":"NixlConnector","kv_role":"kv_consumer"}`},
				env:  []string{"VLLM_NIXL_SIDE_CHANNEL_HOST", "VLLM_NIXL_SIDE_CHANNEL_PORT"}},
		},
		"KServeShellCommand": {
			reason: "A shell running vllm serve itself: its flags are read, and the function starts vLLM with them after its own.",
			spec: map[string]any{"model": model, "template": main(`"command": ["/bin/sh", "-c", "vllm serve /mnt/models --port 8000 --max-num-seqs 64 $VLLM_ADDITIONAL_ARGS"],
			  "env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--enforce-eager"}], "args": ["--seed", "1"]`)},
			want: want{command: []string{"vllm", "serve"}, args: with("--max-num-seqs", "64", "--enforce-eager", "--seed", "1")},
		},
		"KServeExecCommand": {
			reason: "KServe's older configs: vllm serve /mnt/models in the command, flags in args.",
			spec:   map[string]any{"model": model, "template": main(`"command": ["vllm", "serve", "/mnt/models"], "args": ["--served-model-name", "llama", "--port", "8000", "--disable-log-requests"]`)},
			want:   want{command: []string{"vllm", "serve"}, args: with("--disable-log-requests")},
		},
		"OtherProgram": {
			reason: "Another program on one node keeps its command and gets the flags as args.",
			spec:   map[string]any{"model": model, "template": main(`"command": ["python3", "-m", "vllm.entrypoints.openai.api_server"]`)},
			want:   want{command: []string{"python3", "-m", "vllm.entrypoints.openai.api_server"}, args: own},
		},
		"APIServerCount": {
			reason: "VLLM_API_SERVER_COUNT reaches vLLM as --api-server-count, as KServe's launcher passes it; a repeat in args appears once.",
			spec:   map[string]any{"model": model, "template": main(`"env": [{"name": "VLLM_API_SERVER_COUNT", "value": "4"}], "args": ["-asc=4"]`)},
			want:   want{command: []string{"vllm", "serve"}, args: with("--api-server-count", "$(VLLM_API_SERVER_COUNT)"), env: []string{"VLLM_API_SERVER_COUNT"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, config.Default(), tc.spec)
			d := find[*appsv1.Deployment](t, res.Objects, ResourceWorkload)
			c := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
			got := want{command: c.Command, args: c.Args, env: envNames(c)}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nmain container: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// envNames are the names of c's env vars, without the ones every
// model-server pod has.
func envNames(c *corev1.Container) []string {
	var out []string
	for _, e := range c.Env {
		if e.Name != "HOME" && e.Name != "USER" {
			out = append(out, e.Name)
		}
	}
	return out
}

// TestVLLMDataParallelGroup pins a multi-node data parallel group started
// from a KServe command: the function's launcher, each pod's NIXL ports.
func TestVLLMDataParallelGroup(t *testing.T) {
	main := func(fields string) map[string]any {
		var c map[string]any
		mustUnmarshal(t, `{"name": "main", `+fields+`}`, &c)
		return map[string]any{"containers": []any{c}}
	}
	s := map[string]any{
		"model":       map[string]any{"uri": "hf://o/m"},
		"parallelism": map[string]any{"data": 4, "dataLocal": 2, "expert": true},
		"template": main(`"command": ["/bin/bash", "-c", "eval \"vllm serve /mnt/models --port 8000 ${VLLM_ADDITIONAL_ARGS} $@\""],
		  "env": [{"name": "VLLM_ADDITIONAL_ARGS", "value": "--data-parallel-hybrid-lb -ep --all2all-backend deepep_low_latency"}],
		  "resources": {"limits": {"nvidia.com/gpu": "2"}}`),
		"worker":  map[string]any{},
		"prefill": map[string]any{},
	}
	res := buildWith(t, config.Default(), s)
	lws := find[*lwsv1.LeaderWorkerSet](t, res.Objects, ResourceWorkloadMN)
	leader := wiring.Container(&lws.Spec.LeaderWorkerTemplate.LeaderTemplate.Spec, wiring.MainContainer)
	worker := wiring.Container(&lws.Spec.LeaderWorkerTemplate.WorkerTemplate.Spec, wiring.MainContainer)

	wantArgs := []string{"/mnt/models", "--served-model-name", "llama", "publishers/team-a/models/llama", "--port", "8200",
		"--data-parallel-size", "4", "--data-parallel-size-local", "2", "--data-parallel-hybrid-lb", "--data-parallel-rpc-port", "5555",
		"--enable-expert-parallel", "--kv-transfer-config", `{"kv_connector":"NixlConnector","kv_role":"kv_both"}`, "--all2all-backend", "deepep_low_latency"}
	for name, c := range map[string]*corev1.Container{"leader": leader, "worker": worker} {
		if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
			t.Errorf("%s args: -want, +got:\n%s", name, diff)
		}
		if diff := cmp.Diff([]string{"/bin/sh", "-c", dataParallelLauncher(2), "vllm"}, c.Command); diff != "" {
			t.Errorf("%s command: the function's launcher starts vLLM: -want, +got:\n%s", name, diff)
		}
	}
	// Each rank listens on its own NIXL side channel, 5600 + rank: the
	// leader runs ranks 0-1, the workers the ranks after.
	nixl := func(c *corev1.Container) map[string]int32 {
		out := map[string]int32{}
		for _, p := range c.Ports {
			if p.Name != "http" {
				out[p.Name] = p.ContainerPort
			}
		}
		return out
	}
	if diff := cmp.Diff(map[string]int32{"nixl": 5600, "nixl-1": 5601}, nixl(leader)); diff != "" {
		t.Errorf("leader NIXL ports: -want, +got:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int32{"nixl-2": 5602, "nixl-3": 5603}, nixl(worker)); diff != "" {
		t.Errorf("worker NIXL ports: -want, +got:\n%s", diff)
	}
}

// TestServedNames pins the names vLLM answers to, which the model name
// header rules and the publisher path need: with model-based routing the
// model and each adapter also under its fully qualified name, except in
// the prefill pods, which only decode pods reach; without it, the names
// alone. Result.ModelNames lists them for the status.
func TestServedNames(t *testing.T) {
	s := map[string]any{
		"model":   map[string]any{"uri": "hf://o/m", "lora": map[string]any{"adapters": []any{map[string]any{"name": "sql", "uri": "hf://o/sql"}, map[string]any{"name": "chat", "uri": "hf://o/chat"}}}},
		"prefill": map[string]any{},
	}
	disabled := config.Default()
	disabled.ModelBasedRoutingMode = v1beta1.ModelBasedRoutingDisabled
	cases := map[string]struct {
		reason      string
		cfg         config.Config
		wantDecode  []string
		wantPrefill []string
		wantNames   []string
	}{
		"ModelRouting": {
			reason: "Each name twice in the decode pods, once in the prefill pods.",
			cfg:    config.Default(),
			wantDecode: []string{"--served-model-name", "llama", "publishers/team-a/models/llama",
				"--lora-modules", "sql=/mnt/lora/sql", "publishers/team-a/models/sql=/mnt/lora/sql", "chat=/mnt/lora/chat", "publishers/team-a/models/chat=/mnt/lora/chat"},
			wantPrefill: []string{"--served-model-name", "llama", "--lora-modules", "sql=/mnt/lora/sql", "chat=/mnt/lora/chat"},
			wantNames:   []string{"llama", "publishers/team-a/models/llama", "sql", "publishers/team-a/models/sql", "chat", "publishers/team-a/models/chat"},
		},
		"Disabled": {
			reason:      "No header carries a qualified name: the names alone.",
			cfg:         disabled,
			wantDecode:  []string{"--served-model-name", "llama", "--lora-modules", "sql=/mnt/lora/sql", "chat=/mnt/lora/chat"},
			wantPrefill: []string{"--served-model-name", "llama", "--lora-modules", "sql=/mnt/lora/sql", "chat=/mnt/lora/chat"},
			wantNames:   []string{"llama", "sql", "chat"},
		},
	}
	// names are the values of the two naming flags, with the flags.
	names := func(args []string) []string {
		var out []string
		in := false
		for _, a := range args {
			if strings.HasPrefix(a, "--") {
				in = a == "--served-model-name" || a == "--lora-modules"
				if !in {
					continue
				}
			}
			if in {
				out = append(out, a)
			}
		}
		return out
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := buildWith(t, tc.cfg, s)
			for key, want := range map[string][]string{ResourceWorkload: tc.wantDecode, ResourcePrefill: tc.wantPrefill} {
				d := find[*appsv1.Deployment](t, res.Objects, key)
				c := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
				if diff := cmp.Diff(want, names(c.Args)); diff != "" {
					t.Errorf("%s\n%s: -want, +got:\n%s", tc.reason, key, diff)
				}
			}
			if diff := cmp.Diff(tc.wantNames, res.ModelNames); diff != "" {
				t.Errorf("%s\nModelNames: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
