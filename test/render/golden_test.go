package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/test/examples"
)

// nothingObserved names the case of an example rendered without the
// observed.yaml and required.yaml beside it: Crossplane's first reconcile,
// when nothing it composed exists yet and none of the objects it reads
// does either.
const nothingObserved = "-nothing-observed"

// A renderCase is one render of an example and the name of its golden.
type renderCase struct {
	// name is the golden's directory under testdata/golden, slash
	// separated.
	name    string
	example examples.Example
	// args are crossplane render's files and flags.
	args []string
	// what says what the render shows, for failure messages.
	what string
	// mayRefuse is true when the function may refuse the render.
	mayRefuse bool
}

// renderCases are the renders of every example: with everything beside
// it, exactly what make render prints for it, and, for an example with
// observed or required resources, without them.
func renderCases(t *testing.T, all []examples.Example) []renderCase {
	t.Helper()
	var out []renderCase
	seen := map[string]bool{}
	for _, ex := range all {
		what := "example/" + ex.Name + ": " + description(ex.XR)
		out = append(out, renderCase{name: ex.Name, example: ex, args: ex.RenderArgs, what: what})
		if ex.Observed != "" || ex.Required != "" {
			out = append(out, renderCase{
				name: ex.Name + nothingObserved, example: ex,
				args: []string{ex.XR, ex.Composition, ex.Functions},
				what: "without its observed and required resources, " + what,
				// A base configuration read from the cluster
				// that does not exist is a refusal.
				mayRefuse: true,
			})
		}
	}
	for _, c := range out {
		if seen[c.name] {
			t.Fatalf("two renders have the golden %s: rename an example", c.name)
		}
		seen[c.name] = true
	}
	return out
}

// TestRenderExamples renders every example (found by the rule of the root
// module's internal/examples) with the real crossplane CLI and compares the
// output with its golden in testdata/golden/<case>/, file by file (see
// golden). Run with -update to rewrite the goldens after an intended
// change, which also removes those of renders that no longer exist, and
// review the diff.
func TestRenderExamples(t *testing.T) {
	all, err := examples.List(env.root)
	if err != nil {
		t.Fatal(err)
	}
	cases := renderCases(t, all)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := render(t, tc.args...)
			var got golden
			refused := false
			switch msg, fatal := fatalMessage(stderr); {
			case err == nil:
				if got, err = splitRender(out); err != nil {
					t.Fatalf("%s\n%v", tc.what, err)
				}
			case fatal && tc.mayRefuse:
				refused = true
				got = golden{goldenFatal: msg}
			case fatal:
				t.Fatalf("%s\nthe function refuses the example, which must compose (invalid specs belong in testdata/invalid):\n%s", tc.what, stderr)
			default:
				t.Fatalf("%s\ncrossplane render: %v\n%s", tc.what, err, stderr)
			}
			dir := filepath.Join(goldenDir, filepath.FromSlash(tc.name))
			if *update {
				if err := writeGolden(dir, got); err != nil {
					t.Fatal(err)
				}
			}
			want, err := readGolden(dir)
			if err != nil {
				t.Fatalf("%s\ncannot read the golden (run with -update to create it): %v", tc.what, err)
			}
			for _, f := range sortedKeys(union(want, got)) {
				w, inWant := want[f]
				g, inGot := got[f]
				switch {
				case !inWant:
					t.Errorf("%s\n%s is rendered but not in the golden %s:\n%s", tc.what, f, dir, g)
				case !inGot:
					t.Errorf("%s\n%s is in the golden %s but not rendered", tc.what, f, dir)
				default:
					// By line: a document is a few hundred lines.
					if diff := cmp.Diff(strings.SplitAfter(w, "\n"), strings.SplitAfter(g, "\n")); diff != "" {
						t.Errorf("%s\ncrossplane render %s: -want (%s), +got:\n%s", tc.what, strings.Join(tc.args, " "), filepath.Join(dir, f), diff)
					}
				}
			}
			if !refused {
				// A stopped service composes nothing to validate.
				if !stopped(t, tc.example.XR) {
					validateAll(t, out)
				}
				validateXRStatus(t, out, tc.example.XR)
			}
		})
	}
	staleGoldens(t, cases)
}

// staleGoldens fails for a golden directory no case renders (an example
// renamed or removed), or, with -update, removes it.
func staleGoldens(t *testing.T, cases []renderCase) {
	t.Helper()
	known := map[string]bool{}
	for _, c := range cases {
		known[c.name] = true
	}
	err := filepath.WalkDir(goldenDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || path == goldenDir {
			return err
		}
		rel, err := filepath.Rel(goldenDir, path)
		if err != nil || known[filepath.ToSlash(rel)] {
			return err
		}
		g, err := readGolden(path)
		if err != nil || len(g) == 0 {
			// Only the parent of nested cases.
			return err
		}
		if !*update {
			t.Errorf("%s is the golden of no render: run with -update to remove it", path)
			return nil
		}
		for f := range g {
			if err := os.Remove(filepath.Join(path, f)); err != nil {
				return err
			}
		}
		// Gone unless it holds nested cases.
		_ = os.Remove(path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func union(a, b golden) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// TestRenderRefusesInvalid renders invalid specs: each must fail with a
// message that names the field and says what is wrong, and render nothing.
func TestRenderRefusesInvalid(t *testing.T) {
	cases := map[string]struct {
		reason string
		want   []string
	}{
		"gpu-mismatch": {
			reason: "Tensor parallelism 4 needs 4 GPUs, the pod asks for 2.",
			want:   []string{`spec.template.containers[main].resources.limits[nvidia.com/gpu]`, "asks for 2 nvidia.com/gpu", "needs 4 per pod (tensor 4 × pipeline 1 × dataLocal 1)"},
		},
		"multi-gpu-no-request": {
			reason: "Tensor parallelism 2 without any GPU in the pod.",
			want:   []string{"spec.parallelism needs 2 GPUs per pod", "asks for no nvidia.com/gpu"},
		},
		"unknown-scheme": {
			reason: "gs:// is not a supported model source.",
			want:   []string{"spec.model.uri", `unsupported scheme "gs"`, "hf://, s3://, pvc:// or oci://"},
		},
		"inline-credential": {
			reason: "A token written into the spec would land in etcd in clear text.",
			want:   []string{"spec.template.initContainers[storage-initializer].env[HF_TOKEN].value", "by reference"},
		},
		"reserved-arg": {
			reason: "The port is a contract with the Service and probes.",
			want:   []string{"spec.template.containers[main].args[0]", "--port=9000 contradicts the function's --port 8000"},
		},
		"missing-base-config": {
			reason: "A base configuration that is neither a preset nor an EnvironmentConfig is named, never skipped.",
			want:   []string{"spec.baseRefs[0].name", `"h100-tp8"`, "no such base configuration"},
		},
		"privileged": {
			reason: "The default Composition's pods must meet Pod Security baseline: no privileged containers, no host network.",
			want: []string{"spec.template.containers[main].securityContext.privileged: Forbidden", "spec.template.hostNetwork: Forbidden",
				"the Pod Security baseline profile forbids it", "podSecurity.level: privileged in the Composition's Function input"},
		},
		"ipc-lock": {
			reason: "RDMA's IPC_LOCK is refused unless the Composition's input allows it (example/rdma).",
			want: []string{"spec.template.containers[main].securityContext.capabilities.add: Forbidden", `must not include "IPC_LOCK"`,
				"podSecurity.ipcLock: Enabled in the Composition's Function input"},
		},
		"template-typo": {
			reason: "A misspelt pod field must not be dropped silently.",
			want:   []string{"spec.template.containers[0].imagePullPolicyy", "not a field of a pod spec"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := render(t,
				filepath.Join(env.root, "test", "render", "testdata", "invalid", name+".yaml"),
				filepath.Join(env.root, "example", "composition.yaml"),
				filepath.Join(env.root, "example", "functions.yaml"))
			if err == nil {
				t.Fatalf("%s\ncrossplane render succeeded, want a fatal result; output:\n%s", tc.reason, out)
			}
			if !strings.Contains(stderr, "returned a fatal result") {
				t.Errorf("%s\nwant a fatal result from the function, got:\n%s", tc.reason, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("%s\nerror does not mention %q:\n%s", tc.reason, w, stderr)
				}
			}
			if strings.TrimSpace(out) != "" {
				t.Errorf("%s\nwant nothing rendered, got:\n%s", tc.reason, out)
			}
		})
	}
}
