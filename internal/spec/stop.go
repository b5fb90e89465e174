package spec

import (
	"fmt"
	"strings"
)

// AnnotationStop stops a service: with the value "true" (in any case, as
// KServe compares it) the function composes none of its objects, so
// Crossplane deletes them, and the XR stays with its spec. Removing the
// annotation, or setting it to "false", brings everything back.
const AnnotationStop = "serving.kserve.io/stop"

// Stopped is true when the annotations, the XR's, ask for the service to be
// stopped: AnnotationStop is "true" in any case, exactly as KServe reads
// it, with nothing around it.
func Stopped(annotations map[string]string) bool {
	return strings.EqualFold(annotations[AnnotationStop], "true")
}

// stopWarning is the warning for an AnnotationStop whose value neither
// stops the service nor says it runs: "" for "true", "false" (in any
// case) or no annotation.
//
// Such a value, a typo of "true" most often, is warned about, not
// refused. Either way nothing is deleted, which is what matters for a
// value that may not mean "stop". A refusal would be a Fatal result: it
// would hold back every other change to the service until the annotation
// is fixed, and refuse a manifest KServe runs (KServe runs a service with
// any value but "true"). The warning reaches the XR's and the claim's
// events on every call, and the service keeps running as before.
func stopWarning(annotations map[string]string) string {
	v, ok := annotations[AnnotationStop]
	if !ok || strings.EqualFold(v, "true") || strings.EqualFold(v, "false") {
		return ""
	}
	return fmt.Sprintf("%s: %q does not stop the service, which keeps running: only \"true\" (in any case) stops it, as in KServe; "+
		"set it to \"true\" to stop the service, or to \"false\" or remove it to keep it running", annotationPath(AnnotationStop), v)
}
