package main

import (
	"context"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"
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

// TestBaseConfigurationsRenderAsWritten is the acceptance test:
// parallelism, GPUs and env that come only from base configurations render
// exactly as if they were written in the spec, and the user's own additions
// stay on top.
func TestBaseConfigurationsRenderAsWritten(t *testing.T) {
	f := &Function{log: logging.NewNopLogger()}
	withBases := withRequired(newRequest(xrWith(`"baseRefs": [{"name": "h100-tp4"}, {"name": "team"}],
	  "parallelism": {"expert": false},
	  "template": {"containers": [{"name": "main", "env": [{"name": "TEAM", "value": "search"}]}]}`), nil, presetInput),
		map[string][]string{"environmentconfig/team": {envConfig("team", `{"replicas": 3, "labels": {"team": "search"}}`)}})
	written := newRequest(xrWith(`"replicas": 3, "labels": {"team": "search"},
	  "parallelism": {"tensor": 4, "expert": false},
	  "template": {"containers": [{"name": "main", "env": [{"name": "VLLM_LOGGING_LEVEL", "value": "DEBUG"}, {"name": "TEAM", "value": "search"}],
	    "resources": {"limits": {"nvidia.com/gpu": "4"}}}]}`), nil, "")

	got, err := f.RunFunction(context.Background(), withBases)
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
			reason:   "An EnvironmentConfig not read yet is asked for, and nothing is composed until it is.",
			req:      newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""),
			wantReqs: []string{"environmentconfig/team"},
			wantNone: true,
		},
		"InputPresetNeedsNoRead": {
			reason:   "A name the Function input publishes is not looked up in the cluster.",
			req:      newRequest(xrWith(`"baseRefs": [{"name": "h100-tp4"}]`), nil, presetInput),
			wantReqs: nil,
		},
		"KeepsAsking": {
			reason:   "Once read, the EnvironmentConfig is still asked for, so the requirements are stable and Crossplane stops iterating.",
			req:      withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{"environmentconfig/team": {envConfig("team", `{"replicas": 2}`)}}),
			wantReqs: []string{"environmentconfig/team"},
		},
		"Missing": {
			reason:    "A base configuration that exists nowhere is a fatal result naming it, never a silent skip.",
			req:       withRequired(newRequest(xrWith(`"baseRefs": [{"name": "gone"}]`), nil, ""), map[string][]string{"environmentconfig/gone": nil}),
			wantFatal: []string{"spec.baseRefs[0].name", `"gone"`, "no such base configuration"},
		},
		"NoDataSpec": {
			reason:    "An EnvironmentConfig without data.spec says where the fragment belongs.",
			req:       withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{"environmentconfig/team": {`{"apiVersion": "apiextensions.crossplane.io/v1beta1", "kind": "EnvironmentConfig", "metadata": {"name": "team"}, "data": {"replicas": 2}}`}}),
			wantFatal: []string{"spec.baseRefs[0].name", "data.spec"},
		},
		"Nested": {
			reason:    "References do not nest.",
			req:       withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{"environmentconfig/team": {envConfig("team", `{"baseRefs": [{"name": "x"}]}`)}}),
			wantFatal: []string{"spec.baseRefs[0].name", "references do not nest"},
		},
		"EnvironmentConfigBadShape": {
			reason:    "A malformed base is named with the EnvironmentConfig and the field within it.",
			req:       withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{"environmentconfig/team": {envConfig("team", `{"template": {"containers": [{"image": "x"}]}}`)}}),
			wantFatal: []string{"environmentConfigs[team].data.spec.template.containers[0].name", "Required value"},
		},
		"InvalidAfterMerge": {
			reason:    "The merged spec is validated: GPUs from the XR that contradict parallelism from a base are refused.",
			req:       newRequest(xrWith(`"baseRefs": [{"name": "h100-tp4"}], "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": "2"}}}]}`), nil, presetInput),
			wantFatal: []string{"asks for 2", "needs 4 per pod"},
		},
		"InvalidValueFromEnvironmentConfig": {
			reason:    "A value the XR does not set is refused naming the EnvironmentConfig it came from and where in it.",
			req:       withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}]`), nil, ""), map[string][]string{"environmentconfig/team": {envConfig("team", `{"parallelism": {"data": 3, "dataLocal": 2}}`)}}),
			wantFatal: []string{"spec.parallelism.data", "from base configuration team, at environmentConfigs[team].data.spec.parallelism.data"},
		},
		"InvalidValueFromInputPreset": {
			reason:    "Within a list, the element the error names is found by name in the preset that wrote it.",
			req:       newRequest(xrWith(`"baseRefs": [{"name": "debug"}], "router": {"scheduler": {}}`), nil, `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "presets": {"debug": {"router": {"scheduler": {"template": {"containers": [{"name": "main", "args": ["--pool-name=x"]}]}}}}}}`),
			wantFatal: []string{"spec.router.scheduler.template.containers[main].args[0]", "--pool-name is set by the function", "from base configuration debug, at input.presets[debug].router.scheduler.template.containers[main].args[0]"},
		},
		"InvalidValueFromXRNotAttributed": {
			reason:    "The XR overrides the base's value: the error is the XR's own and names no base.",
			req:       withRequired(newRequest(xrWith(`"baseRefs": [{"name": "team"}], "parallelism": {"data": 5, "dataLocal": 2}`), nil, ""), map[string][]string{"environmentconfig/team": {envConfig("team", `{"parallelism": {"data": 3, "dataLocal": 2}}`)}}),
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
