package compose

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"

	llmdv1alpha2 "github.com/crossplane-contrib/function-llm-inference-service/internal/apis/llmd/v1alpha2"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/config"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// schedulerSpec is a minimal service with a managed scheduler; scheduler is
// merged into spec.router.scheduler and extra into spec.
func schedulerSpec(scheduler map[string]any, extra map[string]any) map[string]any {
	if scheduler == nil {
		scheduler = map[string]any{}
	}
	s := map[string]any{
		"model":  map[string]any{"uri": "hf://meta-llama/Llama-3.1-8B-Instruct"},
		"router": map[string]any{"scheduler": scheduler},
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}

// schedulerObjects runs b.scheduler() on the spec and fails on errors.
func schedulerObjects(t *testing.T, s map[string]any) []Object {
	t.Helper()
	b := &builder{svc: decodeService(t, s), cfg: config.Default()}
	objs, errs := b.scheduler()
	if len(errs) > 0 {
		t.Fatalf("scheduler(): %v", errs.ToAggregate())
	}
	for _, o := range objs {
		if _, err := ToComposed(o.Object); err != nil {
			t.Fatalf("ToComposed(%s): %v", o.Name, err)
		}
	}
	return objs
}

func TestSchedulerObjects(t *testing.T) {
	managed := []string{
		ResourcePool + "/InferencePool",
		resourcePickerServiceAccount + "/ServiceAccount",
		resourcePickerRole + "/Role",
		resourcePickerRoleBinding + "/RoleBinding",
		resourcePickerConfig + "/ConfigMap",
		ResourcePickerDeployment + "/Deployment",
		resourcePickerService + "/Service",
	}
	cases := map[string]struct {
		scheduler map[string]any
		extra     map[string]any
		want      []string
	}{
		"DefaultManaged": {
			want: managed,
		},
		"ExplicitSingleReplica": {
			scheduler: map[string]any{"replicas": 1},
			want:      managed,
		},
		"HAAddsLeaderElection": {
			scheduler: map[string]any{"replicas": 2},
			want: []string{
				ResourcePool + "/InferencePool",
				resourcePickerServiceAccount + "/ServiceAccount",
				resourcePickerRole + "/Role",
				resourcePickerRoleBinding + "/RoleBinding",
				resourcePickerLeaderElectionRole + "/Role",
				resourcePickerLeaderElectionBinding + "/RoleBinding",
				resourcePickerConfig + "/ConfigMap",
				ResourcePickerDeployment + "/Deployment",
				resourcePickerService + "/Service",
			},
		},
		"CriticalityAddsObjective": {
			extra: map[string]any{"model": map[string]any{"uri": "hf://org/m", "criticality": "Critical"}},
			want:  append(append([]string{}, managed...), resourceObjective+"/InferenceObjective"),
		},
		"PoolRefComposesNothing": {
			scheduler: map[string]any{"pool": map[string]any{"ref": map[string]any{"name": "shared-pool"}}},
			want:      []string{},
		},
		"PoolRefWithCriticalityComposesOnlyTheObjective": {
			scheduler: map[string]any{"pool": map[string]any{"ref": map[string]any{"name": "shared-pool"}}},
			extra:     map[string]any{"model": map[string]any{"uri": "hf://org/m", "criticality": "Sheddable"}},
			want:      []string{resourceObjective + "/InferenceObjective"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			objs := schedulerObjects(t, schedulerSpec(tc.scheduler, tc.extra))
			if diff := cmp.Diff(tc.want, keysOf(objs)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			for _, o := range objs {
				if o.Object.GetNamespace() != "team-a" {
					t.Errorf("%s: namespace %q, want team-a", o.Name, o.Object.GetNamespace())
				}
				if got := o.Object.GetLabels()[labelComponent]; got != componentScheduler {
					t.Errorf("%s: component label %q, want %q", o.Name, got, componentScheduler)
				}
				if o.Object.GetObjectKind().GroupVersionKind().Version == "" {
					t.Errorf("%s: no apiVersion", o.Name)
				}
			}
		})
	}
}

// TestPoolSelectsModelServersOnly checks the invariant that matters most:
// the pool selects the pods of the workload Build composes, and never the
// endpoint picker's pods.
func TestPoolSelectsModelServersOnly(t *testing.T) {
	cases := map[string]map[string]any{
		"Default":     nil,
		"Labelled":    {"labels": map[string]any{"team": "a"}},
		"HA":          {"router": map[string]any{"scheduler": map[string]any{"replicas": 3}}},
		"WithPodTmpl": {"template": map[string]any{"containers": []any{map[string]any{"name": "main", "args": []any{"--max-model-len=4096"}}}}},
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			res, errs := Build(decodeService(t, schedulerSpec(nil, extra)), config.Default())
			if len(errs) > 0 {
				t.Fatalf("Build: %v", errs.ToAggregate())
			}
			pool := find[*giev1.InferencePool](t, res.Objects, ResourcePool)
			workload := find[*appsv1.Deployment](t, res.Objects, ResourceWorkload)
			epp := find[*appsv1.Deployment](t, res.Objects, ResourcePickerDeployment)

			ml := map[string]string{}
			for k, v := range pool.Spec.Selector.MatchLabels {
				ml[string(k)] = string(v)
			}
			sel := labels.SelectorFromSet(ml)
			if !sel.Matches(labels.Set(workload.Spec.Template.Labels)) {
				t.Errorf("pool selector %v does not select the workload pods %v", ml, workload.Spec.Template.Labels)
			}
			if sel.Matches(labels.Set(epp.Spec.Template.Labels)) {
				t.Errorf("pool selector %v selects the endpoint picker pods %v", ml, epp.Spec.Template.Labels)
			}
			if _, ok := ml[labelRole]; ok {
				t.Errorf("pool selector %v has %s: it would drop one role once prefill exists", ml, labelRole)
			}
			pickerSel := labels.SelectorFromSet(epp.Spec.Selector.MatchLabels)
			if !pickerSel.Matches(labels.Set(epp.Spec.Template.Labels)) {
				t.Errorf("picker Deployment selector %v does not match its pods %v", epp.Spec.Selector.MatchLabels, epp.Spec.Template.Labels)
			}
			if pickerSel.Matches(labels.Set(workload.Spec.Template.Labels)) {
				t.Errorf("picker Deployment selector %v matches the model servers", epp.Spec.Selector.MatchLabels)
			}
		})
	}
}

// TestPoolPointsAtPicker checks the cross-references: pool → picker
// Service port → picker pods, and picker → pool.
func TestPoolPointsAtPicker(t *testing.T) {
	objs := schedulerObjects(t, schedulerSpec(nil, nil))
	pool := find[*giev1.InferencePool](t, objs, ResourcePool)
	svc := find[*corev1.Service](t, objs, resourcePickerService)
	d := find[*appsv1.Deployment](t, objs, ResourcePickerDeployment)

	ref := pool.Spec.EndpointPickerRef
	if string(ref.Name) != svc.Name {
		t.Errorf("endpointPickerRef.name %q, want the picker Service %q", ref.Name, svc.Name)
	}
	if ref.Group != nil || ref.Kind != "" {
		t.Errorf("endpointPickerRef group/kind %v/%q, want the defaults (core Service)", ref.Group, ref.Kind)
	}
	var grpc *corev1.ServicePort
	for i := range svc.Spec.Ports {
		if int32(ref.Port.Number) == svc.Spec.Ports[i].Port {
			grpc = &svc.Spec.Ports[i]
		}
	}
	if grpc == nil || grpc.Name != "grpc-ext-proc" || ptr.Deref(grpc.AppProtocol, "") != "kubernetes.io/h2c" {
		t.Fatalf("endpointPickerRef.port %d is not the picker's h2c ext-proc port: %+v", ref.Port.Number, svc.Spec.Ports)
	}
	main := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
	served := false
	for _, p := range main.Ports {
		served = served || (p.ContainerPort == grpc.TargetPort.IntVal && grpc.TargetPort.IntVal == wiring.PickerGRPCPort)
	}
	if !served {
		t.Errorf("Service targetPort %v is not a picker container port %+v", grpc.TargetPort, main.Ports)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("picker Service selector %v does not select the picker pods %v", svc.Spec.Selector, d.Spec.Template.Labels)
	}
	if !slices.Contains(main.Args, "--pool-name="+pool.Name) || !slices.Contains(main.Args, "--pool-namespace="+pool.Namespace) {
		t.Errorf("picker args %v do not name the pool %s/%s", main.Args, pool.Namespace, pool.Name)
	}
	if d.Spec.Template.Spec.ServiceAccountName != find[*corev1.ServiceAccount](t, objs, resourcePickerServiceAccount).Name {
		t.Errorf("picker runs as %q, not its ServiceAccount", d.Spec.Template.Spec.ServiceAccountName)
	}
	for _, key := range []string{resourcePickerRoleBinding} {
		rb := find[*rbacv1.RoleBinding](t, objs, key)
		if rb.Subjects[0].Name != d.Spec.Template.Spec.ServiceAccountName || rb.Subjects[0].Namespace != "team-a" {
			t.Errorf("%s binds %+v, not the picker's ServiceAccount", key, rb.Subjects)
		}
		if rb.RoleRef.Name != find[*rbacv1.Role](t, objs, resourcePickerRole).Name {
			t.Errorf("%s binds Role %q", key, rb.RoleRef.Name)
		}
	}
}

func TestPoolSpec(t *testing.T) {
	defaultSelector := map[giev1.LabelKey]giev1.LabelValue{
		labelName:   "llama",
		labelPartOf: partOf,
		labelKServe: "workload",
	}
	cases := map[string]struct {
		pool map[string]any
		cfg  func(*config.Config)
		want giev1.InferencePoolSpec
	}{
		"Default": {
			want: giev1.InferencePoolSpec{
				Selector:    giev1.LabelSelector{MatchLabels: defaultSelector},
				TargetPorts: []giev1.Port{{Number: 8000}},
				AppProtocol: giev1.AppProtocolHTTP,
				EndpointPickerRef: &giev1.EndpointPickerRef{
					Name:        "llama-epp",
					Port:        &giev1.Port{Number: 9002},
					FailureMode: giev1.EndpointPickerFailOpen,
				},
			},
		},
		"PlatformFailClose": {
			cfg: func(c *config.Config) { c.FailureMode = "FailClose" },
			want: giev1.InferencePoolSpec{
				Selector:    giev1.LabelSelector{MatchLabels: defaultSelector},
				TargetPorts: []giev1.Port{{Number: 8000}},
				AppProtocol: giev1.AppProtocolHTTP,
				EndpointPickerRef: &giev1.EndpointPickerRef{
					Name:        "llama-epp",
					Port:        &giev1.Port{Number: 9002},
					FailureMode: giev1.EndpointPickerFailClose,
				},
			},
		},
		"UserV1Alpha2SpecOverrides": {
			pool: map[string]any{"spec": map[string]any{
				"selector":         map[string]any{"app": "my-vllm"},
				"targetPortNumber": 8200,
				"extensionRef": map[string]any{
					"group":       "",
					"kind":        "Service",
					"name":        "other-epp",
					"portNumber":  9102,
					"failureMode": "FailClose",
				},
			}},
			want: giev1.InferencePoolSpec{
				Selector:    giev1.LabelSelector{MatchLabels: map[giev1.LabelKey]giev1.LabelValue{"app": "my-vllm"}},
				TargetPorts: []giev1.Port{{Number: 8200}},
				AppProtocol: giev1.AppProtocolHTTP,
				EndpointPickerRef: &giev1.EndpointPickerRef{
					Group:       ptr.To[giev1.Group](""),
					Kind:        "Service",
					Name:        "other-epp",
					Port:        &giev1.Port{Number: 9102},
					FailureMode: giev1.EndpointPickerFailClose,
				},
			},
		},
		"UserV1SpecOverrides": {
			pool: map[string]any{"spec": map[string]any{
				"selector":    map[string]any{"matchLabels": map[string]any{"app": "my-vllm"}},
				"targetPorts": []any{map[string]any{"number": 8000}, map[string]any{"number": 8001}},
				"appProtocol": "kubernetes.io/h2c",
				"endpointPickerRef": map[string]any{
					"name":        "other-epp",
					"port":        map[string]any{"number": 9102},
					"failureMode": "FailClose",
				},
			}},
			want: giev1.InferencePoolSpec{
				Selector:    giev1.LabelSelector{MatchLabels: map[giev1.LabelKey]giev1.LabelValue{"app": "my-vllm"}},
				TargetPorts: []giev1.Port{{Number: 8000}, {Number: 8001}},
				AppProtocol: giev1.AppProtocolH2C,
				EndpointPickerRef: &giev1.EndpointPickerRef{
					Name:        "other-epp",
					Port:        &giev1.Port{Number: 9102},
					FailureMode: giev1.EndpointPickerFailClose,
				},
			},
		},
		"PartialV1OverrideKeepsTheRest": {
			pool: map[string]any{"spec": map[string]any{"endpointPickerRef": map[string]any{"port": map[string]any{"number": 9002}, "failureMode": "FailClose"}}},
			want: giev1.InferencePoolSpec{
				Selector:    giev1.LabelSelector{MatchLabels: defaultSelector},
				TargetPorts: []giev1.Port{{Number: 8000}},
				AppProtocol: giev1.AppProtocolHTTP,
				EndpointPickerRef: &giev1.EndpointPickerRef{
					Name:        "llama-epp",
					Port:        &giev1.Port{Number: 9002},
					FailureMode: giev1.EndpointPickerFailClose,
				},
			},
		},
		"PartialOverrideKeepsTheRest": {
			pool: map[string]any{"spec": map[string]any{"extensionRef": map[string]any{"failureMode": "FailClose"}}},
			want: giev1.InferencePoolSpec{
				Selector:    giev1.LabelSelector{MatchLabels: defaultSelector},
				TargetPorts: []giev1.Port{{Number: 8000}},
				AppProtocol: giev1.AppProtocolHTTP,
				EndpointPickerRef: &giev1.EndpointPickerRef{
					Name:        "llama-epp",
					Port:        &giev1.Port{Number: 9002},
					FailureMode: giev1.EndpointPickerFailClose,
				},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sch := map[string]any{}
			if tc.pool != nil {
				sch["pool"] = tc.pool
			}
			cfg := config.Default()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			b := &builder{svc: decodeService(t, schedulerSpec(sch, nil)), cfg: cfg}
			objs, errs := b.scheduler()
			if len(errs) > 0 {
				t.Fatal(errs.ToAggregate())
			}
			pool := find[*giev1.InferencePool](t, objs, ResourcePool)
			if pool.Name != "llama-inference-pool" || pool.APIVersion != "inference.networking.k8s.io/v1" {
				t.Errorf("pool %s %s", pool.APIVersion, pool.Name)
			}
			if diff := cmp.Diff(tc.want, pool.Spec); diff != "" {
				t.Errorf("pool spec (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPoolComposed checks the exact shape Crossplane receives for the pool.
func TestPoolComposed(t *testing.T) {
	objs := schedulerObjects(t, schedulerSpec(nil, nil))
	u, err := ToComposed(find[*giev1.InferencePool](t, objs, ResourcePool))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"selector":    map[string]any{"matchLabels": map[string]any{labelName: "llama", labelPartOf: partOf, labelKServe: "workload"}},
		"targetPorts": []any{map[string]any{"number": int64(8000)}},
		"appProtocol": "http",
		"endpointPickerRef": map[string]any{
			"name":        "llama-epp",
			"port":        map[string]any{"number": int64(9002)},
			"failureMode": "FailOpen",
		},
	}
	if diff := cmp.Diff(want, u.Object["spec"]); diff != "" {
		t.Errorf("composed pool spec (-want +got):\n%s", diff)
	}
	if _, ok := u.Object["status"]; ok {
		t.Error("composed pool has a status")
	}
}

func TestPickerRBAC(t *testing.T) {
	read := []string{"get", "list", "watch"}
	objs := schedulerObjects(t, schedulerSpec(map[string]any{"replicas": 2}, nil))
	role := find[*rbacv1.Role](t, objs, resourcePickerRole)
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: read},
		{APIGroups: []string{"inference.networking.k8s.io"}, Resources: []string{"inferencepools"}, Verbs: read},
		{APIGroups: []string{"inference.networking.x-k8s.io"}, Resources: []string{"inferencemodelrewrites", "inferenceobjectives"}, Verbs: read},
		{APIGroups: []string{"llm-d.ai"}, Resources: []string{"inferencemodelrewrites", "inferenceobjectives"}, Verbs: read},
	}
	if diff := cmp.Diff(want, role.Rules); diff != "" {
		t.Errorf("picker Role rules (-want +got):\n%s", diff)
	}
	le := find[*rbacv1.Role](t, objs, resourcePickerLeaderElectionRole)
	wantLE := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create", "delete", "get", "list", "patch", "update", "watch"}},
	}
	if diff := cmp.Diff(wantLE, le.Rules); diff != "" {
		t.Errorf("leader election Role rules (-want +got):\n%s", diff)
	}
	if le.Name != "llama-epp-leader-election" {
		t.Errorf("leader election Role %q", le.Name)
	}
	leb := find[*rbacv1.RoleBinding](t, objs, resourcePickerLeaderElectionBinding)
	if leb.RoleRef != (rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: le.Name}) {
		t.Errorf("leader election binding refers to %+v", leb.RoleRef)
	}
	if diff := cmp.Diff([]rbacv1.Subject{{Kind: "ServiceAccount", Name: "llama-epp", Namespace: "team-a"}}, leb.Subjects); diff != "" {
		t.Errorf("leader election binding subjects (-want +got):\n%s", diff)
	}
	for _, r := range append(role.Rules, le.Rules...) {
		for _, s := range append(append(append([]string{}, r.APIGroups...), r.Resources...), r.Verbs...) {
			if s == "*" {
				t.Errorf("wildcard in %+v", r)
			}
		}
	}
}

func TestPickerDeployment(t *testing.T) {
	objs := schedulerObjects(t, schedulerSpec(nil, nil))
	d := find[*appsv1.Deployment](t, objs, ResourcePickerDeployment)
	pod := d.Spec.Template.Spec
	if d.Name != "llama-epp" || ptr.Deref(d.Spec.Replicas, 0) != 1 || d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("Deployment %s replicas %v strategy %q", d.Name, d.Spec.Replicas, d.Spec.Strategy.Type)
	}
	if diff := cmp.Diff(map[string]string{labelName: "llama", labelPartOf: partOf, labelComponent: componentScheduler}, d.Spec.Template.Labels); diff != "" {
		t.Errorf("pod labels (-want +got):\n%s", diff)
	}
	if pod.ServiceAccountName != "llama-epp" || !ptr.Deref(pod.AutomountServiceAccountToken, false) {
		t.Errorf("service account %q automount %v", pod.ServiceAccountName, pod.AutomountServiceAccountToken)
	}
	if ptr.Deref(pod.TerminationGracePeriodSeconds, 0) != 130 {
		t.Errorf("terminationGracePeriodSeconds %v", pod.TerminationGracePeriodSeconds)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("containers %d", len(pod.Containers))
	}
	c := pod.Containers[0]
	if c.Name != "main" || c.Image != config.DefaultPickerImage {
		t.Errorf("container %s image %s", c.Name, c.Image)
	}
	wantArgs := []string{
		"--pool-name=llama-inference-pool",
		"--pool-namespace=team-a",
		"--pool-group=inference.networking.k8s.io",
		"--config-file=/config/" + pickerConfigKey,
		"--grpc-port=9002",
		"--grpc-health-port=9003",
		"--metrics-port=9090",
		"--zap-encoder=json",
		"--tracing=false",
	}
	if diff := cmp.Diff(wantArgs, c.Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	wantPorts := []corev1.ContainerPort{
		{Name: "grpc", ContainerPort: 9002, Protocol: corev1.ProtocolTCP},
		{Name: "grpc-health", ContainerPort: 9003, Protocol: corev1.ProtocolTCP},
		{Name: "metrics", ContainerPort: 9090, Protocol: corev1.ProtocolTCP},
	}
	if diff := cmp.Diff(wantPorts, c.Ports); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
	wantLive := &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9003, Service: ptr.To("inference-extension")}},
		InitialDelaySeconds: 5,
		PeriodSeconds:       10,
	}
	wantReady := &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9003, Service: ptr.To("inference-extension")}},
		PeriodSeconds: 2,
	}
	if diff := cmp.Diff(wantLive, c.LivenessProbe); diff != "" {
		t.Errorf("liveness (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantReady, c.ReadinessProbe); diff != "" {
		t.Errorf("readiness (-want +got):\n%s", diff)
	}
	wantEnv := []corev1.EnvVar{
		{Name: "NAMESPACE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}},
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
	}
	if diff := cmp.Diff(wantEnv, c.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(config.Default().PickerResources, c.Resources); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	// /tmp comes from the built-in scheduler preset, merged over the
	// function's own mount of the configuration.
	wantMounts := []corev1.VolumeMount{
		{Name: "tmp", MountPath: "/tmp"},
		{Name: "plugins-config", MountPath: "/config", ReadOnly: true},
	}
	if diff := cmp.Diff(wantMounts, c.VolumeMounts); diff != "" {
		t.Errorf("mounts (-want +got):\n%s", diff)
	}
	wantVolumes := []corev1.Volume{
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: "plugins-config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "llama-epp"}}}},
	}
	if diff := cmp.Diff(wantVolumes, pod.Volumes); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	// Pod Security "restricted".
	psc, sc := pod.SecurityContext, c.SecurityContext
	if !ptr.Deref(psc.RunAsNonRoot, false) || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v", psc)
	}
	if ptr.Deref(sc.AllowPrivilegeEscalation, true) || sc.Capabilities == nil || !cmp.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		len(sc.Capabilities.Add) > 0 || !ptr.Deref(sc.ReadOnlyRootFilesystem, false) || ptr.Deref(sc.Privileged, false) {
		t.Errorf("container security context %+v", sc)
	}
	if d.Spec.Template.Annotations[annotationPickerConfigHash] == "" {
		t.Errorf("no config hash annotation: %v", d.Spec.Template.Annotations)
	}

	svc := find[*corev1.Service](t, objs, resourcePickerService)
	if svc.Name != "llama-epp" || svc.Spec.Type != corev1.ServiceTypeClusterIP {
		t.Errorf("Service %s type %s", svc.Name, svc.Spec.Type)
	}
	if len(svc.Spec.Ports) != 2 || svc.Spec.Ports[1].Name != "http-metrics" || svc.Spec.Ports[1].Port != 9090 || svc.Spec.Ports[1].TargetPort.IntVal != 9090 {
		t.Errorf("Service ports %+v", svc.Spec.Ports)
	}
}

func TestPickerHighAvailability(t *testing.T) {
	objs := schedulerObjects(t, schedulerSpec(map[string]any{"replicas": 2}, nil))
	d := find[*appsv1.Deployment](t, objs, ResourcePickerDeployment)
	c := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
	if ptr.Deref(d.Spec.Replicas, 0) != 2 {
		t.Errorf("replicas %v", d.Spec.Replicas)
	}
	if !slices.Contains(c.Args, "--ha-enable-leader-election") {
		t.Errorf("args %v lack --ha-enable-leader-election", c.Args)
	}
	if got := ptr.Deref(c.LivenessProbe.GRPC.Service, ""); got != "liveness" {
		t.Errorf("liveness service %q", got)
	}
	if got := ptr.Deref(c.ReadinessProbe.GRPC.Service, ""); got != "readiness" {
		t.Errorf("readiness service %q", got)
	}

	single := schedulerObjects(t, schedulerSpec(nil, nil))
	if slices.Contains(wiring.Container(&find[*appsv1.Deployment](t, single, ResourcePickerDeployment).Spec.Template.Spec, wiring.MainContainer).Args, "--ha-enable-leader-election") {
		t.Error("a single picker runs leader election")
	}
}

func TestPickerConfig(t *testing.T) {
	defaultText := `apiVersion: llm-d.ai/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: kv-cache-utilization-scorer
- type: prefix-cache-scorer
- type: max-score-picker
- type: single-profile-handler
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: queue-scorer
    weight: 2
  - pluginRef: kv-cache-utilization-scorer
    weight: 2
  - pluginRef: prefix-cache-scorer
    weight: 3
  - pluginRef: max-score-picker
`
	cases := map[string]struct {
		config     map[string]any
		refText    string // what the plan read from the ref's ConfigMap
		wantText   string // ConfigMap content; "" when no ConfigMap
		wantVolume string // ConfigMap the picker mounts
		wantFile   string
		wantHash   bool
	}{
		"Default": {
			wantText:   defaultText,
			wantVolume: "llama-epp",
			wantFile:   "/config/config.yaml",
			wantHash:   true,
		},
		"EmptyConfigIsDefault": {
			config:     map[string]any{},
			wantText:   defaultText,
			wantVolume: "llama-epp",
			wantFile:   "/config/config.yaml",
			wantHash:   true,
		},
		"InlineReplacesDefault": {
			config: map[string]any{"inline": map[string]any{
				"kind":       "EndpointPickerConfig",
				"apiVersion": "inference.networking.x-k8s.io/v1alpha1",
				"schedulingProfiles": []any{map[string]any{"name": "default", "plugins": []any{
					map[string]any{"weight": 3, "pluginRef": "prefix-cache-scorer"},
				}}},
				"plugins": []any{map[string]any{"type": "prefix-cache-scorer", "parameters": map[string]any{"lruCapacityPerServer": 31250, "blockSize": 64}}},
			}},
			// Keys sorted, numbers as written, apiVersion kept.
			wantText: `apiVersion: inference.networking.x-k8s.io/v1alpha1
kind: EndpointPickerConfig
plugins:
- parameters:
    blockSize: 64
    lruCapacityPerServer: 31250
  type: prefix-cache-scorer
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: prefix-cache-scorer
    weight: 3
`,
			wantVolume: "llama-epp",
			wantFile:   "/config/config.yaml",
			wantHash:   true,
		},
		"InlineWithoutTypeMetaIsCompleted": {
			config: map[string]any{"inline": map[string]any{"plugins": []any{map[string]any{"type": "queue-scorer"}}}},
			wantText: `apiVersion: llm-d.ai/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
`,
			wantVolume: "llama-epp",
			wantFile:   "/config/config.yaml",
			wantHash:   true,
		},
		// The function read the ConfigMap: its own holds the same
		// configuration, so a change of the user's rolls the picker.
		"RefIsComposedFromTheUsersConfigMap": {
			config:     map[string]any{"ref": map[string]any{"name": "tuned-epp", "key": "pd.yaml"}},
			refText:    "plugins:\n- type: queue-scorer\n",
			wantText:   "apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\nplugins:\n- type: queue-scorer\n",
			wantVolume: "llama-epp",
			wantFile:   "/config/config.yaml",
			wantHash:   true,
		},
	}
	hashes := map[string]string{}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sch := map[string]any{}
			if tc.config != nil {
				sch["config"] = tc.config
			}
			svc := decodeService(t, schedulerSpec(sch, nil))
			svc.PickerConfigRef = tc.refText
			objs, errs := (&builder{svc: svc, cfg: config.Default()}).scheduler()
			if len(errs) > 0 {
				t.Fatalf("scheduler(): %v", errs.ToAggregate())
			}
			var cm *corev1.ConfigMap
			for _, o := range objs {
				if o.Name == resourcePickerConfig {
					cm = o.Object.(*corev1.ConfigMap)
				}
			}
			switch {
			case tc.wantText == "" && cm != nil:
				t.Errorf("a ConfigMap is composed next to the user's: %v", cm.Data)
			case tc.wantText != "" && cm == nil:
				t.Fatal("no ConfigMap")
			case cm != nil:
				if cm.Name != "llama-epp" {
					t.Errorf("ConfigMap %q", cm.Name)
				}
				if diff := cmp.Diff(map[string]string{pickerConfigKey: tc.wantText}, cm.Data); diff != "" {
					t.Errorf("ConfigMap data (-want +got):\n%s", diff)
				}
			}
			d := find[*appsv1.Deployment](t, objs, ResourcePickerDeployment)
			var vol *corev1.Volume
			for i := range d.Spec.Template.Spec.Volumes {
				if d.Spec.Template.Spec.Volumes[i].Name == "plugins-config" {
					vol = &d.Spec.Template.Spec.Volumes[i]
				}
			}
			if vol == nil || vol.ConfigMap == nil || vol.ConfigMap.Name != tc.wantVolume {
				t.Errorf("config volume %+v, want ConfigMap %q", vol, tc.wantVolume)
			}
			if a := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer).Args; !slices.Contains(a, "--config-file="+tc.wantFile) {
				t.Errorf("args %v lack --config-file=%s", a, tc.wantFile)
			}
			h := d.Spec.Template.Annotations[annotationPickerConfigHash]
			if tc.wantHash != (h != "") {
				t.Errorf("config hash annotation %q, want one: %v", h, tc.wantHash)
			}
			if h != "" {
				hashes[tc.wantText] = h
			}
		})
	}
	seen := map[string]bool{}
	for _, h := range hashes {
		if seen[h] {
			t.Errorf("two configurations share the hash %s: a change would not roll the picker", h)
		}
		seen[h] = true
	}
}

func TestPickerTemplate(t *testing.T) {
	sch := map[string]any{"template": map[string]any{
		"nodeSelector": map[string]any{"pool": "cpu"},
		"containers": []any{map[string]any{
			"name":      "main",
			"args":      []any{"--v=3", "--tracing=false"},
			"env":       []any{map[string]any{"name": "OTEL_SERVICE_NAME", "value": "llama-epp"}},
			"resources": map[string]any{"requests": map[string]any{"cpu": "2"}},
		}},
	}}
	cfg := config.Default()
	cfg.PickerExtraArgs = []string{"--enable-pprof=false"}
	b := &builder{svc: decodeService(t, schedulerSpec(sch, nil)), cfg: cfg}
	objs, errs := b.scheduler()
	if len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	d := find[*appsv1.Deployment](t, objs, ResourcePickerDeployment)
	c := wiring.Container(&d.Spec.Template.Spec, wiring.MainContainer)
	n := len(c.Args)
	if n < 4 || !cmp.Equal(c.Args[n-2:], []string{"--enable-pprof=false", "--v=3"}) || c.Args[0] != "--pool-name=llama-inference-pool" {
		t.Errorf("args %v: want generated flags, then the platform's, then the user's", c.Args)
	}
	if got := slices.Index(c.Args, "--tracing=false"); got < 0 || slices.Index(c.Args[got+1:], "--tracing=false") >= 0 {
		t.Errorf("args %v: the user's --tracing=false repeats the function's and must appear once", c.Args)
	}
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	slices.Sort(names)
	if diff := cmp.Diff([]string{"NAMESPACE", "OTEL_SERVICE_NAME", "POD_NAME"}, names); diff != "" {
		t.Errorf("env merged (-want +got):\n%s", diff)
	}
	if got := c.Resources.Requests.Cpu().String(); got != "2" {
		t.Errorf("cpu request %s, want the user's 2", got)
	}
	if got := c.Resources.Requests.Memory().String(); got != "8Gi" {
		t.Errorf("memory request %s, want the default 8Gi kept", got)
	}
	if d.Spec.Template.Spec.NodeSelector["pool"] != "cpu" {
		t.Errorf("nodeSelector %v", d.Spec.Template.Spec.NodeSelector)
	}
	if c.Image != config.DefaultPickerImage || len(c.Ports) != 3 || c.ReadinessProbe == nil {
		t.Errorf("user template dropped defaults: %+v", c)
	}
}

func TestObjective(t *testing.T) {
	cases := map[string]struct {
		criticality string
		pool        map[string]any
		wantPrio    int32
		wantPool    string
	}{
		"Critical":        {criticality: "Critical", wantPrio: 1, wantPool: "llama-inference-pool"},
		"Standard":        {criticality: "Standard", wantPrio: 0, wantPool: "llama-inference-pool"},
		"Sheddable":       {criticality: "Sheddable", wantPrio: -1, wantPool: "llama-inference-pool"},
		"ReferencedPool":  {criticality: "Critical", pool: map[string]any{"ref": map[string]any{"name": "shared"}}, wantPrio: 1, wantPool: "shared"},
		"InlinePoolSpecs": {criticality: "Standard", pool: map[string]any{"spec": map[string]any{"targetPortNumber": 8001}}, wantPrio: 0, wantPool: "llama-inference-pool"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sch := map[string]any{}
			if tc.pool != nil {
				sch["pool"] = tc.pool
			}
			objs := schedulerObjects(t, schedulerSpec(sch, map[string]any{"model": map[string]any{"uri": "hf://org/m", "criticality": tc.criticality}}))
			o := find[*llmdv1alpha2.InferenceObjective](t, objs, resourceObjective)
			if o.APIVersion != "llm-d.ai/v1alpha2" || o.Kind != "InferenceObjective" || o.Name != "llama-objective" {
				t.Errorf("objective %s %s %s", o.APIVersion, o.Kind, o.Name)
			}
			want := llmdv1alpha2.InferenceObjectiveSpec{
				Priority: ptr.To(tc.wantPrio),
				PoolRef:  llmdv1alpha2.PoolObjectReference{Group: "inference.networking.k8s.io", Kind: "InferencePool", Name: tc.wantPool},
			}
			if diff := cmp.Diff(want, o.Spec); diff != "" {
				t.Errorf("objective spec (-want +got):\n%s", diff)
			}
			u, err := ToComposed(o)
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Object["spec"].(map[string]any)["priority"]; got != int64(tc.wantPrio) {
				t.Errorf("composed priority %#v, want %d (0 must be written, not dropped)", got, tc.wantPrio)
			}
		})
	}
}

// TestSchedulerDeterministic composes twice and compares what Crossplane
// would receive: any map or set iterated in random order shows up here.
func TestSchedulerDeterministic(t *testing.T) {
	s := schedulerSpec(map[string]any{
		"replicas": 2,
		"config": map[string]any{"inline": map[string]any{
			"plugins": []any{map[string]any{"type": "a", "parameters": map[string]any{"z": 1, "y": 2, "x": map[string]any{"c": 1, "b": 2}}}},
		}},
		"pool": map[string]any{"spec": map[string]any{"selector": map[string]any{"c": "1", "b": "2", "a": "3"}}},
	}, map[string]any{"model": map[string]any{"uri": "hf://org/m", "criticality": "Critical"}})
	render := func() []byte {
		var out []map[string]any
		for _, o := range schedulerObjects(t, s) {
			u, err := ToComposed(o.Object)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, u.Object)
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := string(render())
	for range 20 {
		if got := string(render()); got != first {
			t.Fatalf("output changed between runs:\n%s", cmp.Diff(first, got))
		}
	}
}
