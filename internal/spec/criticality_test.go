package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/utils/ptr"
)

// TestDecodeCriticalityAnnotations checks that the criticalities KServe's
// v1alpha2 keeps in annotations fill the fields the spec leaves unset, so
// that the rest of the function reads one field whichever version the
// manifest was written in. Malformed and contradicting values are
// TestValidate's.
func TestDecodeCriticalityAnnotations(t *testing.T) {
	const lora = `"lora": {"adapters": [{"name": "a", "uri": "hf://o/a"}, {"name": "b", "uri": "hf://o/b", "criticality": "Standard"}]}`
	type want struct {
		model    *Criticality
		adapters []*Criticality
	}
	critical, standard, sheddable := ptr.To(CriticalityCritical), ptr.To(CriticalityStandard), ptr.To(CriticalitySheddable)
	cases := map[string]struct {
		reason      string
		spec        string
		annotations map[string]string
		want        want
	}{
		"None": {
			reason: "Without annotations the spec's own fields stand.",
			spec:   `{"model": {"uri": "hf://o/m", "criticality": "Critical", ` + lora + `}}`,
			want:   want{model: critical, adapters: []*Criticality{nil, standard}},
		},
		"Annotations": {
			reason: "The annotations fill the fields a v1alpha2 manifest cannot set.",
			spec:   `{"model": {"uri": "hf://o/m", ` + lora + `}}`,
			annotations: map[string]string{
				AnnotationModelCriticality:  "Sheddable",
				AnnotationLoRACriticalities: `{"0": "Critical"}`,
			},
			want: want{model: sheddable, adapters: []*Criticality{critical, standard}},
		},
		"FieldsWin": {
			reason: "A field the spec sets is not replaced; spec.Validate refuses the contradiction.",
			spec:   `{"model": {"uri": "hf://o/m", "criticality": "Critical", ` + lora + `}}`,
			annotations: map[string]string{
				AnnotationModelCriticality:  "Sheddable",
				AnnotationLoRACriticalities: `{"1": "Critical"}`,
			},
			want: want{model: critical, adapters: []*Criticality{nil, standard}},
		},
		"Malformed": {
			reason: "A malformed annotation changes nothing; spec.Validate refuses it.",
			spec:   `{"model": {"uri": "hf://o/m", ` + lora + `}}`,
			annotations: map[string]string{
				AnnotationModelCriticality:  "urgent",
				AnnotationLoRACriticalities: `{"0": "Critical", "7": "Critical"}`,
			},
			want: want{adapters: []*Criticality{nil, standard}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			svc := decodeSpecAnnotated(t, tc.spec, tc.annotations)
			got := want{model: svc.Spec.Model.Criticality}
			for _, a := range svc.Spec.Model.LoRA.Adapters {
				got.adapters = append(got.adapters, a.Criticality)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nDecode(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
