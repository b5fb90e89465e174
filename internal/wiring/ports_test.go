package wiring

import "testing"

// TestNIXLPortNames: the names the pods declare their NIXL side channels
// under are the ones the NetworkPolicies look for, and nothing else is.
func TestNIXLPortNames(t *testing.T) {
	cases := map[string]struct {
		reason string
		name   string
		want   bool
	}{
		"Rank0":    {reason: "rank 0's port", name: NIXLPortName(0), want: true},
		"Rank15":   {reason: "a later rank's port", name: NIXLPortName(15), want: true},
		"Zero":     {reason: "rank 0 is named nixl, never nixl-0", name: "nixl-0"},
		"Padded":   {reason: "not a name NIXLPortName gives", name: "nixl-01"},
		"Negative": {reason: "no negative ranks", name: "nixl--1"},
		"Other":    {reason: "vLLM's own port", name: "http"},
		"Prefix":   {reason: "a user's port that only starts alike", name: "nixlish"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := IsNIXLPortName(tc.name); got != tc.want {
				t.Errorf("%s: IsNIXLPortName(%q) = %t, want %t", tc.reason, tc.name, got, tc.want)
			}
		})
	}
	if NIXLPortName(3) != "nixl-3" || NIXLSideChannelPort(3) != NIXLPort+3 {
		t.Errorf("rank 3: %s on %d", NIXLPortName(3), NIXLSideChannelPort(3))
	}
}
