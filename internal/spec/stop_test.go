package spec

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStopped pins which values of the stop annotation stop a service and
// which are warned about: only "true", in any case, stops; anything else
// leaves the service running, and a value that is not "false" says so.
func TestStopped(t *testing.T) {
	const typo = `metadata.annotations[serving.kserve.io/stop]: %q does not stop the service, which keeps running: only "true" (in any case) stops it, as in KServe; ` +
		`set it to "true" to stop the service, or to "false" or remove it to keep it running`
	type want struct {
		Stopped  bool
		Warnings []string
	}
	cases := map[string]struct {
		reason      string
		annotations map[string]string
		want        want
	}{
		"NoAnnotation": {
			reason: "A service without the annotation runs.",
		},
		"True": {
			reason:      "The documented value stops the service.",
			annotations: map[string]string{AnnotationStop: "true"},
			want:        want{Stopped: true},
		},
		"TrueAnyCase": {
			reason:      "KServe compares the value case-insensitively.",
			annotations: map[string]string{AnnotationStop: "TRUE"},
			want:        want{Stopped: true},
		},
		"False": {
			reason:      "false is the documented way to run it again: no warning.",
			annotations: map[string]string{AnnotationStop: "False"},
		},
		"Typo": {
			reason:      "A typo must not delete anything: the service runs, and the warning says why and how to stop it.",
			annotations: map[string]string{AnnotationStop: "ture"},
			want:        want{Warnings: []string{fmt.Sprintf(typo, "ture")}},
		},
		"Padded": {
			reason:      "Only the exact value stops, as in KServe: spaces around it do not.",
			annotations: map[string]string{AnnotationStop: " true"},
			want:        want{Warnings: []string{fmt.Sprintf(typo, " true")}},
		},
		"Empty": {
			reason:      "An empty value does not stop either.",
			annotations: map[string]string{AnnotationStop: ""},
			want:        want{Warnings: []string{fmt.Sprintf(typo, "")}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := &Service{Annotations: tc.annotations}
			got := want{Stopped: Stopped(tc.annotations), Warnings: Warnings(svc)}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\n-want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
