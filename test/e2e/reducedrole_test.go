//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// testReducedRoles runs the picker as a service account bound to the
// composed Role with one verb taken away, once per verb the picker cannot
// work without: it must never report ready, and must exit saying what it
// was forbidden. With the composed Role itself it serves (the scenario's
// other checks), so these prove the Role is needed as composed, not only
// sufficient.
//
// Not every verb of the Role can be shown this way with GIE's picker:
// without get it becomes ready, as it reads pods and its pool through its
// informers' caches and never GETs them; without watch it becomes ready
// too, as its informers list again after each refused watch (backing off
// up to 30 s), so it sees changes late rather than never, which no test
// can tell without a timing assertion. The
// InferenceObjective and InferenceModelRewrite rules are llm-d's picker's:
// GIE v1.3.0 looks for those kinds in inference.networking.x-k8s.io/v1alpha2,
// which this control plane does not serve, and llm-d.ai, which it does not
// know.
func (e *env) testReducedRoles(t *testing.T, role *rbacv1.Role, base pickerRun) {
	cases := map[string]struct {
		reason          string
		group, resource string
		verb            string
	}{
		"without list on pods": {
			reason:   "the picker lists the pods of its namespace into its cache, and its pool is not ready until that cache is",
			resource: "pods", verb: "list",
		},
		"without list on inferencepools": {
			reason: "the picker lists its InferencePool (by name, with a field selector) to learn the pool's selector and ports",
			group:  "inference.networking.k8s.io", resource: "inferencepools", verb: "list",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			rules, removed := withoutVerb(role.Rules, tc.group, tc.resource, tc.verb)
			if !removed {
				t.Fatalf("the composed Role %s does not grant %s on %s: %s", role.Name, tc.verb, tc.resource, tc.reason)
			}
			sa := "picker-" + strings.ReplaceAll(name, " ", "-")
			token, err := e.bindRole(ctx, role.Namespace, sa, rules)
			if err != nil {
				t.Fatal(err)
			}
			r := base
			r.name, r.token = sa, token
			p := e.startPicker(t, r)

			// The picker gives up once its caches fail to sync, after
			// controller-runtime's two minutes.
			deadline := time.Now().Add(5 * time.Minute)
			for p.exited() == nil {
				if time.Now().After(deadline) {
					t.Fatalf("the picker still runs after 5 minutes %s (%s); its log ends:\n%s", name, tc.reason, p.tail(logLines))
				}
				if ok, _, _ := p.serving(ctx); ok {
					t.Fatalf("the picker is ready %s, so the composed Role grants more than it needs; its log ends:\n%s", name, p.tail(logLines))
				}
				time.Sleep(time.Second)
			}
			<-p.done
			if p.err == nil {
				t.Errorf("the picker exited 0 %s; want a failure", name)
			}
			log, err := os.ReadFile(p.log)
			if err != nil {
				t.Fatal(err)
			}
			// As the picker logs it, in JSON.
			want := fmt.Sprintf(`cannot %s resource \"%s\"`, tc.verb, tc.resource)
			if !strings.Contains(string(log), want) {
				t.Errorf("the picker's log does not say it %s; its log ends:\n%s", want, p.tail(logLines))
			}
			t.Logf("the picker %s never became ready and exited (%v): %s", name, p.err, tc.reason)
		})
	}
}

// withoutVerb returns rules with verb no longer granted on the resource of
// group, everything else as it was, and whether any rule granted it.
func withoutVerb(rules []rbacv1.PolicyRule, group, resource, verb string) ([]rbacv1.PolicyRule, bool) {
	var out []rbacv1.PolicyRule
	removed := false
	for _, r := range rules {
		if !slices.Contains(r.APIGroups, group) || !slices.Contains(r.Resources, resource) || !slices.Contains(r.Verbs, verb) {
			out = append(out, *r.DeepCopy())
			continue
		}
		removed = true
		// The rule's other groups and resources keep every verb.
		if groups := slices.DeleteFunc(slices.Clone(r.APIGroups), func(g string) bool { return g == group }); len(groups) > 0 {
			rest := *r.DeepCopy()
			rest.APIGroups = groups
			out = append(out, rest)
		}
		if resources := slices.DeleteFunc(slices.Clone(r.Resources), func(s string) bool { return s == resource }); len(resources) > 0 {
			rest := *r.DeepCopy()
			rest.APIGroups, rest.Resources = []string{group}, resources
			out = append(out, rest)
		}
		if verbs := slices.DeleteFunc(slices.Clone(r.Verbs), func(v string) bool { return v == verb }); len(verbs) > 0 {
			rest := *r.DeepCopy()
			rest.APIGroups, rest.Resources, rest.Verbs = []string{group}, []string{resource}, verbs
			out = append(out, rest)
		}
	}
	return out, removed
}

// bindRole creates a service account with a Role of rules bound to it, and
// returns a token for it.
func (e *env) bindRole(ctx context.Context, ns, name string, rules []rbacv1.PolicyRule) (string, error) {
	meta := metav1.ObjectMeta{Namespace: ns, Name: name}
	if _, err := e.kube.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: meta}, metav1.CreateOptions{}); err != nil {
		return "", fmt.Errorf("cannot create service account %s: %w", key(ns, name), err)
	}
	if _, err := e.kube.RbacV1().Roles(ns).Create(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: rules}, metav1.CreateOptions{}); err != nil {
		return "", fmt.Errorf("cannot create Role %s: %w", key(ns, name), err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: meta,
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: ns}},
	}
	if _, err := e.kube.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil {
		return "", fmt.Errorf("cannot create RoleBinding %s: %w", key(ns, name), err)
	}
	return e.requestToken(ctx, ns, name)
}
