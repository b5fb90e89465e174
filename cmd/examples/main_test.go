package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/examples"
)

// inRepository makes a repository with two examples the working directory.
func inRepository(t *testing.T) {
	t.Helper()
	root := t.TempDir()
	for _, f := range []string{
		"example/functions.yaml", "example/composition.yaml",
		"example/seed/xr.yaml", "example/seed/observed.yaml", "example/seed/required.yaml",
		"example/own/xr.yaml", "example/own/composition.yaml",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
}

func TestList(t *testing.T) {
	inRepository(t)
	var out bytes.Buffer
	if err := run([]string{"list"}, &out); err != nil {
		t.Fatal(err)
	}
	var got []listed
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("list does not print JSON: %v\n%s", err, out.String())
	}
	all, err := examples.Find(".")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]listed, 0, len(all))
	for _, ex := range all {
		want = append(want, listed{Example: ex, RenderArgs: ex.RenderArgs()})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("list: -want (examples.Find), +got:\n%s", diff)
	}
}

func TestListRoot(t *testing.T) {
	inRepository(t)
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	var out bytes.Buffer
	if err := run([]string{"list", "-root=" + root}, &out); err != nil {
		t.Fatal(err)
	}
	var got []listed
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].XR != filepath.Join(root, "example", "own", "xr.yaml") || got[1].RenderArgs[3] != "--observed-resources="+filepath.Join(root, "example", "seed", "observed.yaml") {
		t.Errorf("list -root=%s: want paths under the root, got %+v", root, got)
	}
}

func TestArgs(t *testing.T) {
	inRepository(t)
	cases := map[string]struct {
		reason string
		args   []string
		want   []string
		err    string
	}{
		"EverythingBeside": {
			reason: "What make render passes with nothing but the name: the files beside the XR as flags.",
			args:   []string{"seed"},
			want: []string{"example/seed/xr.yaml", "example/composition.yaml", "example/functions.yaml",
				"--observed-resources=example/seed/observed.yaml", "--required-resources=example/seed/required.yaml"},
		},
		"OwnComposition": {
			reason: "The Composition beside the XR.",
			args:   []string{"own"},
			want:   []string{"example/own/xr.yaml", "example/own/composition.yaml", "example/functions.yaml"},
		},
		"Overrides": {
			reason: "-observed replaces observed.yaml; an empty -required renders without required.yaml.",
			args:   []string{"-observed=other.yaml", "-required=", "seed"},
			want:   []string{"example/seed/xr.yaml", "example/composition.yaml", "example/functions.yaml", "--observed-resources=other.yaml"},
		},
		"Root": {
			reason: "-root names the repository; paths are joined to it.",
			args:   []string{"-root=.", "own"},
			want:   []string{"example/own/xr.yaml", "example/own/composition.yaml", "example/functions.yaml"},
		},
		"AddOverride": {
			reason: "A file given for an example that has none beside it is passed too.",
			args:   []string{"-required=refs.yaml", "own"},
			want:   []string{"example/own/xr.yaml", "example/own/composition.yaml", "example/functions.yaml", "--required-resources=refs.yaml"},
		},
		"Unknown": {
			reason: "An unknown example lists the known ones.",
			args:   []string{"single-node"},
			err:    `unknown example "single-node": the examples are the directories under example with an xr.yaml: own, seed`,
		},
		"NoName": {
			reason: "args needs the example's name.",
			args:   []string{},
			err:    "usage:",
		},
		"UnknownFlag": {
			reason: "A misspelt flag is not taken for a name.",
			args:   []string{"-observd=x", "seed"},
			err:    "flag provided but not defined",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(append([]string{"args"}, tc.args...), &out)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nargs %v: want an error containing %q, got %v", tc.reason, tc.args, tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nargs %v: %v", tc.reason, tc.args, err)
			}
			if diff := cmp.Diff(tc.want, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")); diff != "" {
				t.Errorf("%s\nargs %v: -want, +got:\n%s", tc.reason, tc.args, diff)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"lst"}, {"list", "extra"}} {
		if err := run(args, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "usage:") {
			t.Errorf("run(%q): want a usage error, got %v", args, err)
		}
	}
}
