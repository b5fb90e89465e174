package main

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
)

// presetInput publishes one preset in the Function input.
const presetInput = `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input",
  "presets": {"h100-tp4": {"parallelism": {"tensor": 4, "expert": true},
    "template": {"containers": [{"name": "main", "env": [{"name": "VLLM_LOGGING_LEVEL", "value": "DEBUG"}],
      "resources": {"limits": {"nvidia.com/gpu": "4"}}}]}}}}`

// envConfig is an EnvironmentConfig holding a spec fragment.
func envConfig(name, spec string) string {
	return `{"apiVersion": "apiextensions.crossplane.io/v1beta1", "kind": "EnvironmentConfig", "metadata": {"name": "` + name + `"}, "data": {"spec": ` + spec + `}}`
}

// serviceConfig is KServe's LLMInferenceServiceConfig in namespace ns.
func serviceConfig(ns, name, spec string) string {
	return `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceServiceConfig", "metadata": {"name": "` + name + `", "namespace": "` + ns + `"}, "spec": ` + spec + `}`
}

// withBases is req as Crossplane sends it once it has read every object the
// function asked for, from objs: what a selector matches, else nothing.
func withBases(t testing.TB, req *fnv1.RunFunctionRequest, objs ...string) *fnv1.RunFunctionRequest {
	t.Helper()
	var parsed []map[string]any
	for _, o := range objs {
		m := map[string]any{}
		if err := json.Unmarshal([]byte(o), &m); err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, m)
	}
	resolveRequired(t, req, parsed)
	return req
}

// The requirements for base configurations called team of an XR in
// namespace ns, with the default system namespace.
var teamReqs = []string{"environmentconfig/team", "llminferenceserviceconfig/kserve/team", "llminferenceserviceconfig/ns/team"}

// TestBaseConfigurationsRenderAsWritten is the acceptance test:
// parallelism, GPUs and env that come only from base configurations render
// exactly as if they were written in the spec, and the user's own additions
// stay on top.
func TestBaseConfigurationsRenderAsWritten(t *testing.T) {
	f := &Function{log: logging.NewNopLogger()}
	bases := withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "h100-tp4"}, {"name": "team"}, {"name": "gpu"}],
	  "parallelism": {"expert": false},
	  "template": {"containers": [{"name": "main", "env": [{"name": "TEAM", "value": "search"}]}]}`), nil, presetInput),
		envConfig("team", `{"replicas": 3, "labels": {"team": "search"}}`),
		serviceConfig("kserve", "gpu", `{"template": {"nodeSelector": {"gpu": "h100"}}}`))
	written := newRequest(xrWith(`"replicas": 3, "labels": {"team": "search"},
	  "parallelism": {"tensor": 4, "expert": false},
	  "template": {"nodeSelector": {"gpu": "h100"}, "containers": [{"name": "main", "env": [{"name": "VLLM_LOGGING_LEVEL", "value": "DEBUG"}, {"name": "TEAM", "value": "search"}],
	    "resources": {"limits": {"nvidia.com/gpu": "4"}}}]}`), nil, "")

	got, err := f.RunFunction(context.Background(), bases)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.RunFunction(context.Background(), written)
	if err != nil {
		t.Fatal(err)
	}
	if s := summarise(got); s.Fatal != "" {
		t.Fatalf("with bases: fatal result %s", s.Fatal)
	}
	if diff := cmp.Diff(want.GetDesired().GetResources(), got.GetDesired().GetResources(), protocmp.Transform()); diff != "" {
		t.Errorf("composed resources differ from the spec written out in full: -written, +with bases:\n%s", diff)
	}
	args := got.GetDesired().GetResources()["workload-deployment"].GetResource().AsMap()
	if s := strings.Join(argsOf(args), " "); !strings.Contains(s, "--tensor-parallel-size 4") || strings.Contains(s, "--enable-expert-parallel") {
		t.Errorf("tensor 4 from the base and expert: false from the XR must both hold, got args %s", s)
	}
	conf := got.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)["configurations"]
	wantConf := []any{
		map[string]any{"name": "single-node", "source": "BuiltIn"},
		map[string]any{"name": "function-input", "source": "FunctionInput"},
		map[string]any{"name": "h100-tp4", "source": "FunctionInput"},
		map[string]any{"name": "team", "source": "EnvironmentConfig"},
		map[string]any{"name": "gpu", "source": "LLMInferenceServiceConfig"},
		map[string]any{"name": "m", "source": "Spec"},
	}
	if diff := cmp.Diff(wantConf, conf); diff != "" {
		t.Errorf("status.configurations: -want, +got:\n%s", diff)
	}
}

func argsOf(deployment map[string]any) []string {
	spec := deployment["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
	for _, c := range spec["containers"].([]any) {
		c := c.(map[string]any)
		if c["name"] == "main" {
			var out []string
			for _, a := range c["args"].([]any) {
				out = append(out, a.(string))
			}
			return out
		}
	}
	return nil
}

func TestBaseConfigurations(t *testing.T) {
	cases := map[string]struct {
		reason    string
		req       *fnv1.RunFunctionRequest
		wantReqs  []string
		wantNone  bool
		wantFatal []string
		// wantNotIn must not be in the fatal result.
		wantNotIn string
	}{
		"AskFirst": {
			reason:   "Every object a name may resolve to is asked for at once, and nothing is composed until Crossplane has read them.",
			req:      newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""),
			wantReqs: teamReqs,
			wantNone: true,
		},
		"InputPresetNeedsNoRead": {
			reason:   "A name the Function input publishes is not looked up in the cluster.",
			req:      newRequest(xrWith(`"baseRefs": [{"name": "h100-tp4"}]`), nil, presetInput),
			wantReqs: nil,
		},
		"KeepsAsking": {
			reason: "Once read, every object is still asked for, the ones that exist and the ones that do not, so the requirements are stable and Crossplane stops iterating.",
			req: withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{
				"environmentconfig/team": {envConfig("team", `{"replicas": 2}`)}, "llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/kserve/team": nil,
			}),
			wantReqs: teamReqs,
		},
		"KeepsAskingWhenFoundFirst": {
			reason: "A config in the service's namespace shadows the rest, which are still asked for.",
			req: withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{
				"llminferenceserviceconfig/ns/team": {serviceConfig("ns", "team", `{"replicas": 2}`)}, "llminferenceserviceconfig/kserve/team": nil, "environmentconfig/team": nil,
			}),
			wantReqs: teamReqs,
		},
		"Missing": {
			reason:    "A base configuration that exists nowhere is a fatal result naming it and where it was looked for, never a silent skip.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "gone"}]`), nil, "")),
			wantFatal: []string{"spec.baseRefs[0].name", `"gone"`, "no such base configuration", "no LLMInferenceServiceConfig of that name in namespace ns or kserve", "no EnvironmentConfig of that name"},
		},
		"NoDataSpec": {
			reason:    "An EnvironmentConfig without data.spec says where the fragment belongs.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), `{"apiVersion": "apiextensions.crossplane.io/v1beta1", "kind": "EnvironmentConfig", "metadata": {"name": "team"}, "data": {"replicas": 2}}`),
			wantFatal: []string{"spec.baseRefs[0].name", "data.spec"},
		},
		"Nested": {
			reason:    "References do not nest: an EnvironmentConfig that names base configurations is refused, naming it.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), envConfig("team", `{"baseRefs": [{"name": "x"}]}`)),
			wantFatal: []string{"environmentConfigs[team].data.spec.baseRefs: Forbidden", "EnvironmentConfig team names base configurations itself", "references do not nest"},
		},
		"ServiceConfigNested": {
			reason:    "KServe's rule: an LLMInferenceServiceConfig may not name base configurations itself; the message names the config.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), serviceConfig("ns", "team", `{"baseRefs": [{"name": "x"}]}`)),
			wantFatal: []string{"llmInferenceServiceConfigs[ns/team].spec.baseRefs: Forbidden", "LLMInferenceServiceConfig ns/team names base configurations itself"},
		},
		"EnvironmentConfigBadShape": {
			reason:    "A malformed base is named with the EnvironmentConfig and the field within it.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), envConfig("team", `{"template": {"containers": [{"image": "x"}]}}`)),
			wantFatal: []string{"environmentConfigs[team].data.spec.template.containers[0].name", "Required value"},
		},
		"InvalidAfterMerge": {
			reason:    "The merged spec is validated: GPUs from the XR that contradict parallelism from a base are refused.",
			req:       newRequest(xrWith(`"baseRefs": [{"name": "h100-tp4"}], "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "2"}}}]}`), nil, presetInput),
			wantFatal: []string{"asks for 2", "needs 4 per pod"},
		},
		"InvalidValueFromEnvironmentConfig": {
			reason:    "A value the XR does not set is refused naming the EnvironmentConfig it came from and where in it.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), envConfig("team", `{"parallelism": {"data": 3, "dataLocal": 2}}`)),
			wantFatal: []string{"spec.parallelism.data", "from base configuration team, at environmentConfigs[team].data.spec.parallelism.data"},
		},
		"InvalidValueFromServiceConfig": {
			reason:    "A value from an LLMInferenceServiceConfig is refused naming the config, its namespace and where in it.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), serviceConfig("kserve", "team", `{"parallelism": {"data": 3, "dataLocal": 2}}`)),
			wantFatal: []string{"spec.parallelism.data", "from base configuration team, at llmInferenceServiceConfigs[kserve/team].spec.parallelism.data"},
		},
		"InvalidValueFromInputPreset": {
			reason:    "Within a list, the element the error names is found by name in the preset that wrote it.",
			req:       newRequest(xrWith(`"baseRefs": [{"name": "debug"}], "router": {"scheduler": {}}`), nil, `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "presets": {"debug": {"router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--pool-name=x"]}]}}}}}}`),
			wantFatal: []string{"spec.router.scheduler.template.containers[main].args[0]", "--pool-name is set by the function", "from base configuration debug, at input.presets[debug].router.scheduler.template.containers[main].args[0]"},
		},
		"InvalidValueFromXRNotAttributed": {
			reason:    "The XR overrides the base's value: the error is the XR's own and names no base.",
			req:       withBases(t, newRequest(xrWith(`"baseRefs": [{"name": "team"}], "parallelism": {"data": 5, "dataLocal": 2}`), nil, ""), envConfig("team", `{"parallelism": {"data": 3, "dataLocal": 2}}`)),
			wantFatal: []string{"spec.parallelism.data", "Invalid value: 5"},
			wantNotIn: "from base configuration",
		},
		"InputPresetNotAnObject": {
			reason:    "A preset must be a spec fragment.",
			req:       newRequest(xrWith(`"baseRefs": [{"name": "p"}]`), nil, `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "presets": {"p": [1]}}`),
			wantFatal: []string{"input.presets[p]", "spec fragment"},
		},
	}
	f := &Function{log: logging.NewNopLogger()}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := f.RunFunction(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			s := summarise(rsp)
			if len(tc.wantFatal) > 0 {
				for _, w := range tc.wantFatal {
					if !strings.Contains(s.Fatal, w) {
						t.Errorf("%s\nfatal result %q does not mention %q", tc.reason, s.Fatal, w)
					}
				}
				if tc.wantNotIn != "" && strings.Contains(s.Fatal, tc.wantNotIn) {
					t.Errorf("%s\nfatal result %q mentions %q", tc.reason, s.Fatal, tc.wantNotIn)
				}
				return
			}
			if s.Fatal != "" {
				t.Fatalf("%s\nunexpected fatal result: %s", tc.reason, s.Fatal)
			}
			if diff := cmp.Diff(tc.wantReqs, s.Requirements); diff != "" {
				t.Errorf("%s\nrequirements: -want, +got:\n%s", tc.reason, diff)
			}
			if got := len(rsp.GetDesired().GetResources()) == 0; got != tc.wantNone {
				t.Errorf("%s\ncomposed nothing = %t, want %t", tc.reason, got, tc.wantNone)
			}
		})
	}
}

// TestResolveBaseRefs is the table of where a spec.baseRefs name resolves
// to: the Function input's preset, else the LLMInferenceServiceConfig in the
// service's namespace, else the one in the platform's, else the
// EnvironmentConfig.
func TestResolveBaseRefs(t *testing.T) {
	const (
		inNS     = `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService", "metadata": {"name": "m", "namespace": "ns"}, "spec": {}}`
		forClaim = `{"apiVersion": "serving.example.org/v1alpha2", "kind": "XLLMInferenceService", "metadata": {"name": "m-x7k2p",
		  "labels": {"crossplane.io/claim-namespace": "team-a", "crossplane.io/claim-name": "m"}}, "spec": {}}`
		clusterScoped = `{"apiVersion": "serving.example.org/v1alpha2", "kind": "XLLMInferenceService", "metadata": {"name": "m"}, "spec": {}}`
		inKServe      = `{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceService", "metadata": {"name": "m", "namespace": "kserve"}, "spec": {}}`
	)
	var (
		nsTeam     = serviceConfig("ns", "team", `{"replicas": 1}`)
		kserveTeam = serviceConfig("kserve", "team", `{"replicas": 2}`)
		envTeam    = envConfig("team", `{"replicas": 3}`)
		// Numbers read from JSON are float64s.
		layer = func(ns string, src config.Source, replicas float64) config.Layer {
			return config.Layer{Name: "team", Namespace: ns, Source: src, Spec: map[string]any{"replicas": replicas}}
		}
	)
	cases := map[string]struct {
		reason   string
		xr       string
		cfg      func(*config.Config)
		refs     string
		required map[string][]string
		want     []config.Layer
		wantReqs []string
		pending  bool
		wantErr  []string
	}{
		"ServiceNamespaceFirst": {
			reason:   "A config in the service's namespace shadows the platform's of the same name, as in KServe.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": {nsTeam}, "llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": {envTeam}},
			want:     []config.Layer{layer("ns", config.SourceLLMInferenceServiceConfig, 1)},
			wantReqs: teamReqs,
		},
		"PlatformNamespaceSecond": {
			reason:   "Without one in the service's namespace, the platform's config is used.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": {envTeam}},
			want:     []config.Layer{layer("kserve", config.SourceLLMInferenceServiceConfig, 2)},
			wantReqs: teamReqs,
		},
		"EnvironmentConfigLast": {
			reason:   "An EnvironmentConfig is used when no LLMInferenceServiceConfig has the name.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/kserve/team": nil, "environmentconfig/team": {envTeam}},
			want:     []config.Layer{layer("", config.SourceEnvironmentConfig, 3)},
			wantReqs: teamReqs,
		},
		"InputPresetFirst": {
			reason: "The Function input's preset wins over every object of the same name, and nothing is read for it.",
			xr:     inNS,
			cfg: func(c *config.Config) {
				c.Presets = map[string]map[string]any{"team": {"replicas": float64(4)}}
			},
			required: map[string][]string{"llminferenceserviceconfig/ns/team": {nsTeam}, "llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": {envTeam}},
			want:     []config.Layer{layer("", config.SourceFunctionInput, 4)},
		},
		"NotFound": {
			reason:   "A name found nowhere is an error that says where it was looked for.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/kserve/team": nil, "environmentconfig/team": nil},
			wantReqs: teamReqs,
			wantErr:  []string{`spec.baseRefs[0].name: Invalid value: "team": no such base configuration`, "no LLMInferenceServiceConfig of that name in namespace ns or kserve, and no EnvironmentConfig of that name"},
		},
		"ServiceConfigsDisabled": {
			reason:   "With the input's serviceConfigs Disabled no LLMInferenceServiceConfig is asked for, so a cluster without their CRD reconciles: the EnvironmentConfig is used.",
			xr:       inNS,
			cfg:      func(c *config.Config) { c.ServiceConfigs = false },
			required: map[string][]string{"environmentconfig/team": {envTeam}},
			want:     []config.Layer{layer("", config.SourceEnvironmentConfig, 3)},
			wantReqs: []string{"environmentconfig/team"},
		},
		"ServiceConfigsDisabledNotFound": {
			reason:   "The refusal says LLMInferenceServiceConfigs were not looked for, and why.",
			xr:       inNS,
			cfg:      func(c *config.Config) { c.ServiceConfigs = false },
			required: map[string][]string{"environmentconfig/team": nil},
			wantReqs: []string{"environmentconfig/team"},
			wantErr:  []string{`spec.baseRefs[0].name: Invalid value: "team": no such base configuration`, "LLMInferenceServiceConfigs are not looked for: the Function input's serviceConfigs is Disabled"},
		},
		"NothingReadYet": {
			reason:   "On the first call everything is asked for at once, and nothing resolves.",
			xr:       inNS,
			wantReqs: teamReqs,
			pending:  true,
		},
		"PartlyRead": {
			reason:   "An EnvironmentConfig read is not used while a config that would shadow it has not been read.",
			xr:       inNS,
			required: map[string][]string{"environmentconfig/team": {envTeam}},
			wantReqs: teamReqs,
			pending:  true,
		},
		"ClaimNamespace": {
			reason:   "A legacy XR made for a claim resolves in the claim's namespace.",
			xr:       forClaim,
			required: map[string][]string{"llminferenceserviceconfig/team-a/team": {serviceConfig("team-a", "team", `{"replicas": 5}`)}, "llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": nil},
			want:     []config.Layer{layer("team-a", config.SourceLLMInferenceServiceConfig, 5)},
			wantReqs: []string{"environmentconfig/team", "llminferenceserviceconfig/kserve/team", "llminferenceserviceconfig/team-a/team"},
		},
		"InputNamespace": {
			reason:   "A cluster-scoped XR not made for a claim resolves in the namespace it composes into, the input's.",
			xr:       clusterScoped,
			cfg:      func(c *config.Config) { c.Namespace = "serving" },
			wantReqs: []string{"environmentconfig/team", "llminferenceserviceconfig/kserve/team", "llminferenceserviceconfig/serving/team"},
			pending:  true,
		},
		"SystemNamespaceFromInput": {
			reason:   "The platform's namespace is the input's systemNamespace.",
			xr:       inNS,
			cfg:      func(c *config.Config) { c.SystemNamespace = "platform" },
			required: map[string][]string{"llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/platform/team": {serviceConfig("platform", "team", `{"replicas": 6}`)}, "environmentconfig/team": nil},
			want:     []config.Layer{layer("platform", config.SourceLLMInferenceServiceConfig, 6)},
			wantReqs: []string{"environmentconfig/team", "llminferenceserviceconfig/ns/team", "llminferenceserviceconfig/platform/team"},
		},
		"ServiceInThePlatformNamespace": {
			reason:   "A service in the platform's namespace looks there once.",
			xr:       inKServe,
			required: map[string][]string{"llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": nil},
			want:     []config.Layer{layer("kserve", config.SourceLLMInferenceServiceConfig, 2)},
			wantReqs: []string{"environmentconfig/team", "llminferenceserviceconfig/kserve/team"},
		},
		"OtherNamespaceIsNotThisOne": {
			reason:   "crossplane render answers a selector by kind and name only: the platform's config returned for the service's namespace is not a config there.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": {kserveTeam}, "llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": nil},
			want:     []config.Layer{layer("kserve", config.SourceLLMInferenceServiceConfig, 2)},
			wantReqs: teamReqs,
		},
		"ConfigWithoutSpec": {
			reason:   "A config without a spec is an empty layer, as in KServe.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": {`{"apiVersion": "serving.kserve.io/v1alpha2", "kind": "LLMInferenceServiceConfig", "metadata": {"name": "team", "namespace": "ns"}}`}, "llminferenceserviceconfig/kserve/team": nil, "environmentconfig/team": nil},
			want:     []config.Layer{{Name: "team", Namespace: "ns", Source: config.SourceLLMInferenceServiceConfig, Spec: map[string]any{}}},
			wantReqs: teamReqs,
		},
		"ConfigSpecNotAnObject": {
			reason:   "A spec that is not an object is refused, naming the config.",
			xr:       inNS,
			required: map[string][]string{"llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/kserve/team": {serviceConfig("kserve", "team", `"x"`)}, "environmentconfig/team": nil},
			wantReqs: teamReqs,
			wantErr:  []string{`spec.baseRefs[0].name: Invalid value: "team": LLMInferenceServiceConfig kserve/team has no object at spec`},
		},
		"InOrder": {
			reason: "Each name resolves on its own, and the layers keep the order of spec.baseRefs.",
			xr:     inNS,
			cfg: func(c *config.Config) {
				c.Presets = map[string]map[string]any{"p": {"replicas": float64(4)}}
			},
			refs: `[{"name": "team"}, {"name": "p"}, {"name": "other"}]`,
			required: map[string][]string{
				"llminferenceserviceconfig/ns/team": nil, "llminferenceserviceconfig/kserve/team": {kserveTeam}, "environmentconfig/team": nil,
				"llminferenceserviceconfig/ns/other": nil, "llminferenceserviceconfig/kserve/other": nil, "environmentconfig/other": {envConfig("other", `{"replicas": 3}`)},
			},
			want: []config.Layer{
				layer("kserve", config.SourceLLMInferenceServiceConfig, 2),
				{Name: "p", Source: config.SourceFunctionInput, Spec: map[string]any{"replicas": float64(4)}},
				{Name: "other", Source: config.SourceEnvironmentConfig, Spec: map[string]any{"replicas": float64(3)}},
			},
			wantReqs: []string{
				"environmentconfig/other", "environmentconfig/team", "llminferenceserviceconfig/kserve/other",
				"llminferenceserviceconfig/kserve/team", "llminferenceserviceconfig/ns/other", "llminferenceserviceconfig/ns/team",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(tc.xr, nil, "")
			if tc.required != nil {
				req = withRequired(req, tc.required)
			}
			oxr, err := request.GetObservedCompositeResource(req)
			if err != nil {
				t.Fatal(err)
			}
			cfg := config.Default()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			refs := tc.refs
			if refs == "" {
				refs = `[{"name": "team"}]`
			}
			var list []any
			if err := json.Unmarshal([]byte(refs), &list); err != nil {
				t.Fatal(err)
			}
			got, errs, err := resolveBaseRefs(req, oxr, map[string]any{"baseRefs": list}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.wantErr) > 0 {
				msg := errs.ToAggregate()
				if msg == nil {
					t.Fatalf("%s\nno error, want one mentioning %q", tc.reason, tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(msg.Error(), w) {
						t.Errorf("%s\nerror %q does not mention %q", tc.reason, msg, w)
					}
				}
			} else if len(errs) > 0 {
				t.Fatalf("%s\nunexpected errors: %v", tc.reason, errs)
			}
			if got.pending != tc.pending {
				t.Errorf("%s\npending = %t, want %t", tc.reason, got.pending, tc.pending)
			}
			if diff := cmp.Diff(tc.want, got.layers, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nlayers: -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantReqs, slices.Sorted(maps.Keys(got.selectors)), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s\nrequirements: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
