package compose

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
)

// API groups the endpoint picker reads. Objectives and model rewrites are
// read from both groups: llm-d-router moved them from the Inference
// Extension's experimental group to llm-d.ai and still reads the old one, so
// a picker without access to either logs forbidden errors and retries.
const (
	pickerGroupCore         = ""
	pickerGroupXK8s         = "inference.networking.x-k8s.io"
	pickerGroupLLMD         = "llm-d.ai"
	pickerGroupCoordination = "coordination.k8s.io"
	pickerObjectives        = "inferenceobjectives"
	pickerRewrites          = "inferencemodelrewrites"
	pickerLeaderElectionID  = "epp-leader-election"
)

var pickerReadVerbs = []string{"get", "list", "watch"}

// pickerLeaderElectionName is the Role and RoleBinding that let several picker
// replicas elect a leader.
func pickerLeaderElectionName(svc string) string { return names.Child(svc, pickerLeaderElectionID) }

// pickerRules are what the picker needs, and nothing more: it watches the pool,
// the pool's pods and the objectives and rewrites that point at the pool. No
// wildcard, no write.
func pickerRules() []rbacv1.PolicyRule {
	return sortPickerRules([]rbacv1.PolicyRule{
		{APIGroups: []string{pickerGroupCore}, Resources: []string{"pods"}, Verbs: pickerReadVerbs},
		{APIGroups: []string{giev1.GroupName}, Resources: []string{"inferencepools"}, Verbs: pickerReadVerbs},
		{APIGroups: []string{pickerGroupXK8s}, Resources: []string{pickerObjectives, pickerRewrites}, Verbs: pickerReadVerbs},
		{APIGroups: []string{pickerGroupLLMD}, Resources: []string{pickerObjectives, pickerRewrites}, Verbs: pickerReadVerbs},
	})
}

// pickerLeaderElectionRules let replicas hold a Lease and record the election
// as events. Only composed with more than one replica.
func pickerLeaderElectionRules() []rbacv1.PolicyRule {
	return sortPickerRules([]rbacv1.PolicyRule{
		{APIGroups: []string{pickerGroupCoordination}, Resources: []string{"leases"}, Verbs: []string{"get", "list", "watch", "create", "update", "patch", "delete"}},
		{APIGroups: []string{pickerGroupCore}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
	})
}

// sortPickerRules sorts the lists inside each rule and the rules by group and
// resources, so a Role's bytes never depend on how the table above is
// written.
func sortPickerRules(rules []rbacv1.PolicyRule) []rbacv1.PolicyRule {
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

// pickerServiceAccount is the identity the picker's RBAC is bound to.
func (b *builder) pickerServiceAccount() *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: b.objectMeta(pickerName(b.svc.Name), componentScheduler),
	}
}

// pickerRole and pickerRoleBinding grant the picker pickerRules in the service's
// namespace, the only one it reads: pool, pods and objectives share it.
func (b *builder) pickerRole() *rbacv1.Role {
	return b.pickerRoleFor(pickerName(b.svc.Name), pickerRules())
}

func (b *builder) pickerRoleBinding() *rbacv1.RoleBinding {
	return b.pickerBindingFor(pickerName(b.svc.Name), pickerName(b.svc.Name))
}

func (b *builder) pickerLeaderElectionRole() *rbacv1.Role {
	return b.pickerRoleFor(pickerLeaderElectionName(b.svc.Name), pickerLeaderElectionRules())
}

func (b *builder) pickerLeaderElectionBinding() *rbacv1.RoleBinding {
	return b.pickerBindingFor(pickerLeaderElectionName(b.svc.Name), pickerLeaderElectionName(b.svc.Name))
}

func (b *builder) pickerRoleFor(name string, rules []rbacv1.PolicyRule) *rbacv1.Role {
	return &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "Role"},
		ObjectMeta: b.objectMeta(name, componentScheduler),
		Rules:      rules,
	}
}

// pickerBindingFor binds the named Role to the picker's ServiceAccount.
func (b *builder) pickerBindingFor(name, role string) *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: "RoleBinding"},
		ObjectMeta: b.objectMeta(name, componentScheduler),
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: role},
		Subjects: []rbacv1.Subject{{
			Kind:      rbacv1.ServiceAccountKind,
			Name:      pickerName(b.svc.Name),
			Namespace: b.svc.Namespace,
		}},
	}
}
