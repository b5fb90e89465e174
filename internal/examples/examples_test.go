package examples

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tree writes files (by slash-separated path, relative to the returned
// root) with placeholder content.
func tree(t *testing.T, files ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("# "+f+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestFind(t *testing.T) {
	cases := map[string]struct {
		reason string
		files  []string
		// want are the examples with paths relative to the root.
		want []Example
		// err is part of the error, "" for none.
		err string
	}{
		"Rule": {
			reason: "Any depth; the Composition beside the XR, else the default; observed and required beside it picked up; other files ignored; sorted by name.",
			files: []string{
				"example/functions.yaml", "example/composition.yaml", "example/xrd.yaml", "example/rbac.yaml",
				"example/single/xr.yaml", "example/single/observed.yaml",
				"example/own/xr.yaml", "example/own/composition.yaml", "example/own/claim.yaml",
				"example/refs/xr.yaml", "example/refs/required.yaml",
				"example/group/deep/xr.yaml", "example/group/deep/composition.yaml",
				"example/group/README.md",
			},
			want: []Example{
				{Name: "group/deep", Dir: "example/group/deep", XR: "example/group/deep/xr.yaml", Composition: "example/group/deep/composition.yaml", Functions: "example/functions.yaml"},
				{Name: "own", Dir: "example/own", XR: "example/own/xr.yaml", Composition: "example/own/composition.yaml", Functions: "example/functions.yaml"},
				{Name: "refs", Dir: "example/refs", XR: "example/refs/xr.yaml", Composition: "example/composition.yaml", Functions: "example/functions.yaml", Required: "example/refs/required.yaml"},
				{Name: "single", Dir: "example/single", XR: "example/single/xr.yaml", Composition: "example/composition.yaml", Functions: "example/functions.yaml", Observed: "example/single/observed.yaml"},
			},
		},
		"NestedExamples": {
			reason: "An example directory may hold another example; each keeps its own files.",
			files: []string{
				"example/functions.yaml", "example/composition.yaml",
				"example/a/xr.yaml", "example/a/observed.yaml", "example/a/b/xr.yaml",
			},
			want: []Example{
				{Name: "a", Dir: "example/a", XR: "example/a/xr.yaml", Composition: "example/composition.yaml", Functions: "example/functions.yaml", Observed: "example/a/observed.yaml"},
				{Name: "a/b", Dir: "example/a/b", XR: "example/a/b/xr.yaml", Composition: "example/composition.yaml", Functions: "example/functions.yaml"},
			},
		},
		"NoDefaultCompositionNeeded": {
			reason: "Without example/composition.yaml every example must bring its own.",
			files:  []string{"example/functions.yaml", "example/own/xr.yaml", "example/own/composition.yaml"},
			want: []Example{
				{Name: "own", Dir: "example/own", XR: "example/own/xr.yaml", Composition: "example/own/composition.yaml", Functions: "example/functions.yaml"},
			},
		},
		"NoComposition": {
			reason: "An example with no Composition beside it and no default cannot render.",
			files:  []string{"example/functions.yaml", "example/a/xr.yaml"},
			err:    "example a has no composition.yaml and there is no default",
		},
		"NoFunctions": {
			reason: "Every example renders with example/functions.yaml.",
			files:  []string{"example/composition.yaml", "example/a/xr.yaml"},
			err:    "every example renders with",
		},
		"XRAtTheTop": {
			reason: "example/ itself is not an example: its composition.yaml is everyone's default.",
			files:  []string{"example/functions.yaml", "example/composition.yaml", "example/xr.yaml"},
			err:    "an example is a directory under",
		},
		"NoExamples": {
			reason: "A harness that finds no example would check nothing.",
			files:  []string{"example/functions.yaml", "example/composition.yaml"},
			err:    "no directory under",
		},
		"NoExampleDirectory": {
			reason: "A missing example/ is an error, not an empty list.",
			files:  []string{"README.md"},
			err:    "cannot find the examples",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			root := tree(t, tc.files...)
			got, err := Find(root)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nFind(...): want an error containing %q, got %v", tc.reason, tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nFind(...): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want, relative(t, root, got)); diff != "" {
				t.Errorf("%s\nFind(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestFindRelativeRoot(t *testing.T) {
	root := tree(t, "example/functions.yaml", "example/composition.yaml", "example/a/xr.yaml")
	t.Chdir(root)
	got, err := Find(".")
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{{Name: "a", Dir: "example/a", XR: "example/a/xr.yaml", Composition: "example/composition.yaml", Functions: "example/functions.yaml"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Find(\".\"): paths are relative to the working directory, -want, +got:\n%s", diff)
	}
}

func TestGet(t *testing.T) {
	root := tree(t, "example/functions.yaml", "example/composition.yaml", "example/b/xr.yaml", "example/a/xr.yaml", "example/a/c/xr.yaml")
	cases := map[string]struct {
		reason string
		name   string
		want   string
		err    string
	}{
		"Known": {
			reason: "An example is named by its directory under example/.",
			name:   "a",
			want:   "a",
		},
		"Nested": {
			reason: "A nested example by its path, tidy or not.",
			name:   "a/./c/",
			want:   "a/c",
		},
		"Unknown": {
			reason: "An unknown name says which names there are.",
			name:   "single-node",
			err:    `unknown example "single-node": the examples are the directories under ` + filepath.Join(root, "example") + ` with an xr.yaml: a, a/c, b`,
		},
		"NotAnExample": {
			reason: "A path to the XR is not the example's name.",
			name:   "a/xr.yaml",
			err:    `unknown example "a/xr.yaml"`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Get(root, tc.name)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nGet(%q): want an error containing %q, got %v", tc.reason, tc.name, tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nGet(%q): %v", tc.reason, tc.name, err)
			}
			if got.Name != tc.want {
				t.Errorf("%s\nGet(%q): got example %q, want %q", tc.reason, tc.name, got.Name, tc.want)
			}
		})
	}
}

func TestRenderArgs(t *testing.T) {
	cases := map[string]struct {
		reason string
		ex     Example
		want   []string
	}{
		"Alone": {
			reason: "The XR, its Composition and the Functions, in the order crossplane render takes them.",
			ex:     Example{XR: "x.yaml", Composition: "c.yaml", Functions: "f.yaml"},
			want:   []string{"x.yaml", "c.yaml", "f.yaml"},
		},
		"Everything": {
			reason: "What lies beside the XR is passed as flags.",
			ex:     Example{XR: "x.yaml", Composition: "c.yaml", Functions: "f.yaml", Observed: "o.yaml", Required: "r.yaml"},
			want:   []string{"x.yaml", "c.yaml", "f.yaml", "--observed-resources=o.yaml", "--required-resources=r.yaml"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.ex.RenderArgs()); diff != "" {
				t.Errorf("%s\nRenderArgs(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// relative makes the paths of exs relative to root, with forward slashes.
func relative(t *testing.T, root string, exs []Example) []Example {
	t.Helper()
	rel := func(p string) string {
		if p == "" {
			return ""
		}
		r, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		return filepath.ToSlash(r)
	}
	out := make([]Example, 0, len(exs))
	for _, ex := range exs {
		out = append(out, Example{
			Name: ex.Name, Dir: rel(ex.Dir), XR: rel(ex.XR), Composition: rel(ex.Composition),
			Functions: rel(ex.Functions), Observed: rel(ex.Observed), Required: rel(ex.Required),
		})
	}
	return out
}
