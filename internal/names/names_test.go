package names

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestChild(t *testing.T) {
	long := strings.Repeat("a", 70)
	cases := map[string]struct {
		reason string
		base   string
		suffix string
		want   string
	}{
		"Short": {
			reason: "A short valid name is kept as is, readable.",
			base:   "llama-3-8b", suffix: "workload",
			want: "llama-3-8b-workload",
		},
		"NoSuffix": {
			reason: "An empty suffix yields the base alone.",
			base:   "llama", suffix: "",
			want: "llama",
		},
		"Dots": {
			reason: "Dots are valid in object names but not in DNS-1035 labels; they become dashes plus a hash so 'a.b' and 'a-b' differ.",
			base:   "llama.3", suffix: "epp",
			want: "llama-3-epp-" + hash("llama.3-epp"),
		},
		"LeadingDigit": {
			reason: "A DNS-1035 label must start with a letter.",
			base:   "3b-model", suffix: "epp",
			want: "llm-3b-model-epp-" + hash("3b-model-epp"),
		},
		"Long": {
			reason: "A long name keeps the suffix and ends in a hash of the whole.",
			base:   long, suffix: "epp",
			want: strings.Repeat("a", 63-8-1-4) + "-epp-" + hash(long+"-epp"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Child(tc.base, tc.suffix)
			if got != tc.want {
				t.Errorf("%s\nChild(%q, %q): want %q, got %q", tc.reason, tc.base, tc.suffix, tc.want, got)
			}
			if errs := validation.IsDNS1035Label(got); len(errs) > 0 {
				t.Errorf("%s\nChild(%q, %q) = %q is not a DNS-1035 label: %v", tc.reason, tc.base, tc.suffix, got, errs)
			}
		})
	}
}

func TestChildAlwaysValid(t *testing.T) {
	bases := []string{"a", strings.Repeat("-", 60), strings.Repeat(".", 70) + "b", "0", "-", "a.b.c", strings.Repeat("x.", 120) + "y", "UPPER", "a--b", strings.Repeat("9", 253)}
	suffixes := []string{"", "workload", "epp", "workload-prefill", strings.Repeat("s", 70)}
	seen := map[string]string{}
	for _, b := range bases {
		for _, s := range suffixes {
			got := Child(b, s)
			if errs := validation.IsDNS1035Label(got); len(errs) > 0 {
				t.Errorf("Child(%q, %q) = %q is not a DNS-1035 label: %v", b, s, got, errs)
			}
			if got != Child(b, s) {
				t.Errorf("Child(%q, %q) is not deterministic", b, s)
			}
			key := b + "/" + s
			if prev, ok := seen[got]; ok && prev != key {
				t.Errorf("Child collision: %q and %q both give %q", prev, key, got)
			}
			seen[got] = key
		}
	}
}
