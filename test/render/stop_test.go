package render

import (
	"strings"
	"testing"
)

// annotationStop is KServe's stop annotation: a service it stops composes
// nothing (example/stopped).
const annotationStop = "serving.kserve.io/stop"

// stopped is true when the XR in xrFile is stopped, as the function reads
// the annotation: "true" in any case.
func stopped(t *testing.T, xrFile string) bool {
	t.Helper()
	in := documents(t, readFile(t, xrFile))
	if len(in) != 1 {
		t.Fatalf("%s: want one XR, got %d documents", xrFile, len(in))
	}
	md, _ := in[0]["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	v, _ := ann[annotationStop].(string)
	return strings.EqualFold(v, "true")
}
