package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/google/go-cmp/cmp"
)

// configMap is a ConfigMap in namespace ns holding data.
func configMap(ns, name, data string) string {
	return `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "` + name + `", "namespace": "` + ns + `"}, "data": ` + data + `}`
}

// TestPickerConfigRef checks the ConfigMap scheduler.config.ref names is
// read as a required resource, in the service's namespace, also when the
// ref comes from a base: its plugins compose what they need, as inline, and
// a ConfigMap or key that does not exist is refused naming the field.
func TestPickerConfigRef(t *testing.T) {
	precise := `{"epp": "plugins:\n- type: precise-prefix-cache-scorer\n"}`
	cases := map[string]struct {
		reason string
		spec   string
		input  string
		// objs are what the cluster holds.
		objs []string
		// wantFatal is what the Fatal result mentions, "" for none.
		wantFatal []string
		// wantResources are among the composed resources.
		wantResources []string
		// wantReq is the ConfigMap's requirement.
		wantReq string
	}{
		"RefRead": {
			reason:        "The ConfigMap's precise prefix-cache plugin composes the tokenizer.",
			spec:          `"router": {"scheduler": {"config": {"ref": {"name": "tuned"}}}}`,
			objs:          []string{configMap("ns", "tuned", precise)},
			wantResources: []string{"scheduler-config", "tokenizer-deployment", "tokenizer-service"},
			wantReq:       "picker-config/ns/tuned",
		},
		"RefFromBase": {
			reason:        "A ref a base configuration writes is read like one in the spec.",
			spec:          `"baseRefs": [{"name": "tuned-picker"}], "router": {"scheduler": {}}`,
			input:         `{"apiVersion": "llminferenceservice.fn.crossplane.io/v1beta1", "kind": "Input", "presets": {"tuned-picker": {"router": {"scheduler": {"config": {"ref": {"name": "tuned", "key": "pd.yaml"}}}}}}}`,
			objs:          []string{configMap("ns", "tuned", `{"pd.yaml": "plugins:\n- type: predicted-latency-producer\n"}`)},
			wantResources: []string{"scheduler-config", "scheduler-deployment"},
			wantReq:       "picker-config/ns/tuned",
		},
		"OtherNamespaceIsNotIt": {
			reason:    "A ConfigMap of that name elsewhere is not the service's.",
			spec:      `"router": {"scheduler": {"config": {"ref": {"name": "tuned"}}}}`,
			objs:      []string{configMap("kserve", "tuned", precise)},
			wantFatal: []string{`spec.router.scheduler.config.ref.name: Invalid value: "tuned": no ConfigMap of that name in namespace ns`, "under key epp"},
		},
		"SharedFromPlatform": {
			reason:        "A config-scheduler-* ConfigMap the service's namespace lacks is read from the platform's, as KServe falls back to its namespace.",
			spec:          `"router": {"scheduler": {"config": {"ref": {"name": "config-scheduler-precise"}}}}`,
			objs:          []string{configMap("kserve", "config-scheduler-precise", precise)},
			wantResources: []string{"scheduler-config", "tokenizer-deployment", "tokenizer-service"},
			wantReq:       "picker-config/kserve/config-scheduler-precise",
		},
		"SharedOwnFirst": {
			reason:        "The service's own namespace shadows the platform's.",
			spec:          `"router": {"scheduler": {"config": {"ref": {"name": "config-scheduler-precise"}}}}`,
			objs:          []string{configMap("kserve", "config-scheduler-precise", `{"epp": "plugins:\n- type: queue-scorer\n"}`), configMap("ns", "config-scheduler-precise", precise)},
			wantResources: []string{"tokenizer-deployment"},
			wantReq:       "picker-config/kserve/config-scheduler-precise",
		},
		"SharedMissing": {
			reason:    "Found in neither namespace, both are named.",
			spec:      `"router": {"scheduler": {"config": {"ref": {"name": "config-scheduler-precise"}}}}`,
			objs:      []string{configMap("other", "config-scheduler-precise", precise)},
			wantFatal: []string{"no ConfigMap of that name in namespace ns nor, for a config-scheduler- name, in the platform's namespace kserve"},
		},
		"KeyMissing": {
			reason:    "A key the ConfigMap lacks is refused, listing the keys it has.",
			spec:      `"router": {"scheduler": {"config": {"ref": {"name": "tuned", "key": "epp.yaml"}}}}`,
			objs:      []string{configMap("ns", "tuned", precise)},
			wantFatal: []string{`spec.router.scheduler.config.ref.key: Invalid value: "epp.yaml": ConfigMap ns/tuned has no such key (it has: epp)`},
		},
		"PoolRefReadsNothing": {
			reason: "With a referenced pool no picker is composed, so its configuration is not read.",
			spec:   `"router": {"scheduler": {"pool": {"ref": {"name": "p"}}, "config": {"ref": {"name": "tuned"}}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := withBases(t, newRequest(xrWith(tc.spec), nil, tc.input), tc.objs...)
			rsp, err := (&Function{log: logging.NewNopLogger()}).RunFunction(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			s := summarise(rsp)
			if len(tc.wantFatal) == 0 && s.Fatal != "" {
				t.Fatalf("%s\nfatal result: %s", tc.reason, s.Fatal)
			}
			for _, w := range tc.wantFatal {
				if !strings.Contains(s.Fatal, w) {
					t.Errorf("%s\nthe fatal result %q does not mention %q", tc.reason, s.Fatal, w)
				}
			}
			if len(tc.wantFatal) > 0 {
				return
			}
			for _, r := range tc.wantResources {
				if _, ok := s.Resources[r]; !ok {
					t.Errorf("%s\nno %s among %v", tc.reason, r, s.Resources)
				}
			}
			got := ""
			if i := slices.IndexFunc(s.Requirements, func(r string) bool { return strings.HasPrefix(r, "picker-config/") }); i >= 0 {
				got = s.Requirements[i]
			}
			if diff := cmp.Diff(tc.wantReq, got); diff != "" {
				t.Errorf("%s\nConfigMap requirement (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
