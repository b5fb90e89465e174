package compose

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

func TestSetEnv(t *testing.T) {
	v := func(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }
	cases := map[string]struct {
		reason string
		env    []corev1.EnvVar
		set    corev1.EnvVar
		want   []corev1.EnvVar
	}{
		"Empty": {
			reason: "A var goes on a container without env.",
			set:    v("PORT", "5600"),
			want:   []corev1.EnvVar{v("PORT", "5600")},
		},
		"Last": {
			reason: "Nothing refers to it: it goes after the user's vars.",
			env:    []corev1.EnvVar{v("A", "1"), v("B", "2")},
			set:    v("PORT", "5600"),
			want:   []corev1.EnvVar{v("A", "1"), v("B", "2"), v("PORT", "5600")},
		},
		"UserWins": {
			reason: "The user set it: theirs stays, where it is.",
			env:    []corev1.EnvVar{v("PORT", "6000"), v("B", "2")},
			set:    v("PORT", "5600"),
			want:   []corev1.EnvVar{v("PORT", "6000"), v("B", "2")},
		},
		"BeforeFirstReference": {
			reason: "Kubernetes expands $(PORT) only from vars listed before: it goes before the first var that refers to it.",
			env:    []corev1.EnvVar{v("A", "1"), v("ADDR", "$(HOST):$(PORT)"), v("C", "$(PORT)")},
			set:    v("PORT", "5600"),
			want:   []corev1.EnvVar{v("A", "1"), v("PORT", "5600"), v("ADDR", "$(HOST):$(PORT)"), v("C", "$(PORT)")},
		},
		"NotAPrefix": {
			reason: "$(PORTS) is not a reference to PORT.",
			env:    []corev1.EnvVar{v("A", "$(PORTS)")},
			set:    v("PORT", "5600"),
			want:   []corev1.EnvVar{v("A", "$(PORTS)"), v("PORT", "5600")},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &corev1.Container{Env: tc.env}
			setEnv(c, tc.set)
			if diff := cmp.Diff(tc.want, c.Env); diff != "" {
				t.Errorf("%s\nsetEnv(): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
