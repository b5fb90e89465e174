package config

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// TestFromInputPodSecurity checks the profile composed pods must meet:
// baseline without IPC_LOCK unless the input says otherwise.
func TestFromInputPodSecurity(t *testing.T) {
	type podSecurity struct {
		Level        v1beta1.PodSecurityLevel
		AllowIPCLock bool
	}
	cases := map[string]struct {
		reason string
		input  string
		want   podSecurity
	}{
		"Default": {
			reason: "The default protects: baseline, IPC_LOCK refused.",
			input:  `{}`,
			want:   podSecurity{Level: v1beta1.PodSecurityBaseline},
		},
		"Restricted": {
			reason: "A platform whose namespaces enforce restricted says so.",
			input:  `{"podSecurity": {"level": "restricted"}}`,
			want:   podSecurity{Level: v1beta1.PodSecurityRestricted},
		},
		"Privileged": {
			reason: "A platform that runs privileged pods turns the checks off.",
			input:  `{"podSecurity": {"level": "privileged"}}`,
			want:   podSecurity{Level: v1beta1.PodSecurityPrivileged},
		},
		"IPCLockEnabled": {
			reason: "RDMA's IPC_LOCK is allowed on top of the default level.",
			input:  `{"podSecurity": {"ipcLock": "Enabled"}}`,
			want:   podSecurity{Level: v1beta1.PodSecurityBaseline, AllowIPCLock: true},
		},
		"IPCLockDisabled": {
			reason: "Disabled is the default, said explicitly.",
			input:  `{"podSecurity": {"level": "baseline", "ipcLock": "Disabled"}}`,
			want:   podSecurity{Level: v1beta1.PodSecurityBaseline},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := &v1beta1.Input{}
			if err := json.Unmarshal([]byte(tc.input), in); err != nil {
				t.Fatalf("bad test input: %v", err)
			}
			c, errs := FromInput(in)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			got := podSecurity{Level: c.PodSecurityLevel, AllowIPCLock: c.AllowIPCLock}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nFromInput: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
