package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/crossplane-contrib/function-llm-inference-service/input/v1beta1"
)

// TestDefaultImages checks every image the function composes has a
// built-in default: a container without an image is refused by the API
// server, and for a LeaderWorkerSet only once its controller creates pods.
func TestDefaultImages(t *testing.T) {
	c := Default()
	v := reflect.ValueOf(c)
	n := 0
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if !strings.HasSuffix(f.Name, "Image") {
			continue
		}
		n++
		if v.Field(i).String() == "" {
			t.Errorf("Default().%s is empty", f.Name)
		}
	}
	// One field per image in the input's images section.
	if want := reflect.TypeFor[v1beta1.Images]().NumField(); n != want {
		t.Errorf("Config has %d image fields, the input's images section %d", n, want)
	}
}
