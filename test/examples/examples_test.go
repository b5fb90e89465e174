package examples

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestList checks that what cmd/examples prints decodes into Example: a
// field renamed on one side only would leave paths empty here.
func TestList(t *testing.T) {
	all, err := List("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range all {
		if ex.Name == "" {
			t.Errorf("an example without a name: %+v", ex)
		}
		for _, p := range []string{ex.Dir, ex.XR, ex.Composition, ex.Functions, ex.Observed, ex.Required} {
			if p == "" {
				continue
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: %v", ex.Name, err)
			}
		}
		want := []string{ex.XR, ex.Composition, ex.Functions}
		if ex.Observed != "" {
			want = append(want, "--observed-resources="+ex.Observed)
		}
		if ex.Required != "" {
			want = append(want, "--required-resources="+ex.Required)
		}
		if !slices.Equal(ex.RenderArgs, want) {
			t.Errorf("%s: renderArgs are %q, want %q", ex.Name, ex.RenderArgs, want)
		}
	}
	if !slices.IsSortedFunc(all, func(a, b Example) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("the examples are not sorted by name")
	}
}
