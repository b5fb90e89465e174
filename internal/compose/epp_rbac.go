package compose

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
)

// API groups the endpoint picker reads. Objectives and model rewrites are
// read from both groups: llm-d-router moved them from the Inference
// Extension's experimental group to llm-d.ai and still reads the old one, so
// a picker without access to either logs forbidden errors and retries.
const (
	eppGroupCore         = ""
	eppGroupPool         = "inference.networking.k8s.io"
	eppGroupXK8s         = "inference.networking.x-k8s.io"
	eppGroupLLMD         = "llm-d.ai"
	eppGroupCoordination = "coordination.k8s.io"
	eppObjectives        = "inferenceobjectives"
	eppRewrites          = "inferencemodelrewrites"
	eppLeaderElectionID  = "epp-leader-election"
)

var eppReadVerbs = []string{"get", "list", "watch"}

// EPPLeaderElectionName is the Role and RoleBinding that let several picker
// replicas elect a leader.
func EPPLeaderElectionName(svc string) string { return names.Child(svc, eppLeaderElectionID) }

// eppRules are what the picker needs, and nothing more: it watches the pool,
// the pool's pods and the objectives and rewrites that point at the pool. No
// wildcard, no write.
func eppRules() []rbacv1.PolicyRule {
	return sortEPPRules([]rbacv1.PolicyRule{
		{APIGroups: []string{eppGroupCore}, Resources: []string{"pods"}, Verbs: eppReadVerbs},
		{APIGroups: []string{eppGroupPool}, Resources: []string{"inferencepools"}, Verbs: eppReadVerbs},
		{APIGroups: []string{eppGroupXK8s}, Resources: []string{eppObjectives, eppRewrites}, Verbs: eppReadVerbs},
		{APIGroups: []string{eppGroupLLMD}, Resources: []string{eppObjectives, eppRewrites}, Verbs: eppReadVerbs},
	})
}

// eppLeaderElectionRules let replicas hold a Lease and record the election
// as events. Only composed with more than one replica.
func eppLeaderElectionRules() []rbacv1.PolicyRule {
	return sortEPPRules([]rbacv1.PolicyRule{
		{APIGroups: []string{eppGroupCoordination}, Resources: []string{"leases"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
		{APIGroups: []string{eppGroupCore}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
	})
}

// sortEPPRules sorts the lists inside each rule and the rules by group and
// resources, so a Role's bytes never depend on how the table above is
// written.
func sortEPPRules(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(rules))
	for i, r := range rules {
		out[i] = rbacv1.PolicyRule{
			APIGroups: slices.Sorted(slices.Values(r.APIGroups)),
			Resources: slices.Sorted(slices.Values(r.Resources)),
			Verbs:     slices.Sorted(slices.Values(r.Verbs)),
		}
	}
	key := func(r rbacv1.PolicyRule) string {
		return strings.Join(r.APIGroups, ",") + "/" + strings.Join(r.Resources, ",")
	}
	slices.SortStableFunc(out, func(a, b rbacv1.PolicyRule) int { return strings.Compare(key(a), key(b)) })
	return out
}

// eppServiceAccount is the identity the picker's RBAC is bound to.
func (b *builder) eppServiceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: b.objectMeta(EPPName(b.svc.Name), ComponentScheduler),
	}
}

// eppRole and eppRoleBinding grant the picker eppRules in the service's
// namespace, the only one it reads: pool, pods and objectives share it.
func (b *builder) eppRole() *rbacv1.Role {
	return b.eppRoleFor(EPPName(b.svc.Name), eppRules())
}

func (b *builder) eppRoleBinding() *rbacv1.RoleBinding {
	return b.eppBindingFor(EPPName(b.svc.Name), EPPName(b.svc.Name))
}

func (b *builder) eppLeaderElectionRole() *rbacv1.Role {
	return b.eppRoleFor(EPPLeaderElectionName(b.svc.Name), eppLeaderElectionRules())
}

func (b *builder) eppLeaderElectionBinding() *rbacv1.RoleBinding {
	return b.eppBindingFor(EPPLeaderElectionName(b.svc.Name), EPPLeaderElectionName(b.svc.Name))
}

func (b *builder) eppRoleFor(name string, rules []rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "Role"},
		ObjectMeta: b.objectMeta(name, ComponentScheduler),
		Rules:      rules,
	}
}

// eppBindingFor binds the named Role to the picker's ServiceAccount.
func (b *builder) eppBindingFor(name, role string) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
		ObjectMeta: b.objectMeta(name, ComponentScheduler),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role},
		Subjects: []rbacv1.Subject{{
			Kind:      rbacv1.ServiceAccountKind,
			Name:      EPPName(b.svc.Name),
			Namespace: b.svc.Namespace,
		}},
	}
}
