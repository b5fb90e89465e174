package templates

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
)

// TestChildName checks ChildName against outputs of knative.dev/pkg's
// kmeta.ChildName: the cases knative's own test publishes (each crosses
// one branch of the rule), and names as KServe makes them, whose md5 was
// computed independently (python3 hashlib) for this test.
func TestChildName(t *testing.T) {
	cases := map[string]struct {
		reason         string
		parent, suffix string
		want           string
	}{
		"Short": {
			reason: "Parent and suffix that fit are concatenated: KServe's picker Service.",
			parent: "llama", suffix: "-epp-service",
			want: "llama-epp-service",
		},
		"Exactly63": {
			reason: "63 bytes still fit.",
			parent: strings.Repeat("x", 51), suffix: "-epp-service",
			want: strings.Repeat("x", 51) + "-epp-service",
		},
		"64": {
			reason: "One byte more: the parent's head, the md5 of the parent, the suffix.",
			parent: strings.Repeat("x", 52), suffix: "-epp-service",
			want: strings.Repeat("x", 19) + "1cfae9248fe4e2b596140f0347c50a90-epp-service",
		},
		"KServeWorkloadService": {
			reason: "A long service name and KServe's longest suffix.",
			parent: "qwen2-7b-instruct-precise-prefix-kv-cache-routing-simulator", suffix: "-kserve-workload-svc",
			want: "qwen2-7b-ind233566fa8e50f9c51ce26a11d2db27f-kserve-workload-svc",
		},
		"KnativeLongParent": {
			reason: "knative's test: 63 f and -deployment.",
			parent: strings.Repeat("f", 63), suffix: "-deployment",
			want: "ffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-deployment",
		},
		"KnativeLongSuffix": {
			reason: "knative's test: a suffix of 31 bytes or more hashes parent and suffix, and pads with the suffix.",
			parent: "a", suffix: strings.Repeat("f", 63),
			want: "ab5cfd486935decbc0d305799f4ce4414ffffffffffffffffffffffffffffff",
		},
		"KnativeBothLong": {
			reason: "knative's test: the parent is cut to 31 bytes and nothing of the suffix fits.",
			parent: strings.Repeat("b", 32), suffix: strings.Repeat("f", 32),
			want: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb329c7c81b9ab3ba71aa139066aa5625d",
		},
		"KnativeTrimsDashes": {
			reason: "knative's test: what is cut from the suffix may end in dashes, which are dropped.",
			parent: "aaaa", suffix: strings.Repeat("b---a", 20),
			want: "aaaa7a3f7966594e3f0849720eced8212c18b---ab---ab---ab---ab---ab",
		},
		"KnativeTrimsDots": {
			reason: "knative's test: dots and dashes at the end are dropped down to the hash.",
			parent: strings.Repeat("a", 17), suffix: "a.-.-.-.-.-.-.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			want: "aaaaaaaaaaaaaaaaaa1eb10dc911444f8434af83b7225442da",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := ChildName(tc.parent, tc.suffix); got != tc.want {
				t.Errorf("%s\nChildName(%q, %q):\n got %s\nwant %s", tc.reason, tc.parent, tc.suffix, got, tc.want)
			}
		})
	}
}

// TestChildNameAndNamesChild pins how ChildName relates to the names the
// function gives its own objects (internal/names.Child): the same while
// the service's name is a DNS-1035 label and <name>-<suffix> fits in 63
// characters, so a template can name the function's objects with the
// function's suffixes (ChildName .ObjectMeta.Name `-epp`); different
// beyond, where the README says so.
func TestChildNameAndNamesChild(t *testing.T) {
	for _, n := range []string{"llama", "llama-3-8b", strings.Repeat("a", 59)} {
		if len(validation.IsDNS1035Label(n)) > 0 {
			t.Fatalf("bad test name %q", n)
		}
		if got, want := ChildName(n, "-epp"), names.Child(n, "epp"); got != want {
			t.Errorf("ChildName(%q, -epp) = %s, names.Child = %s: they must agree for names that fit", n, got, want)
		}
	}
	for _, n := range []string{strings.Repeat("a", 60), "llama.3", "3b-model"} {
		if got, own := ChildName(n, "-epp"), names.Child(n, "epp"); got == own {
			t.Errorf("ChildName(%q, -epp) = names.Child = %s: the README says they differ here", n, got)
		}
	}
}
