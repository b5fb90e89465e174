package compose

import (
	"maps"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/names"
	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// The tokenizer: vLLM's render server on the model, which the picker's
// token-producer asks to tokenize prompts for precise prefix-cache routing
// (kserve-v1alpha2.md §2.h). It runs on CPUs, one replica, as KServe's.
const (
	ResourceTokenizerDeployment = "tokenizer-deployment"
	resourceTokenizerService    = "tokenizer-service"

	componentTokenizer = "tokenizer"

	// tokenizerModelName is the model the render server serves: vLLM
	// names a model it is given by path after the path, and the
	// token-producer asks for it by that name.
	tokenizerModelName = modelPath
)

// tokenizerName names the tokenizer's Deployment and Service, as KServe's.
func tokenizerName(svc string) string { return names.Child(svc, "tokenizer") }

// tokenizer composes the tokenizer Deployment and its Service when the
// picker's configuration (or spec.router.scheduler.tokenizer) asks for it.
func (b *builder) tokenizer() ([]Object, field.ErrorList) {
	if !b.svc.TokenizerEnabled() {
		return nil, nil
	}
	d, errs := b.tokenizerDeployment()
	if len(errs) > 0 {
		return nil, errs
	}
	return []Object{
		{Name: ResourceTokenizerDeployment, Object: d},
		{Name: resourceTokenizerService, Object: b.tokenizerService()},
	}, nil
}

// tokenizerPod is the tokenizer's pod before scheduler.tokenizer.template:
// KServe's preset's values, hardened as the function's other pods, with
// the Function input's image and user.
func (b *builder) tokenizerPod() corev1.PodSpec {
	c := corev1.Container{
		Name:  wiring.MainContainer,
		Image: b.cfg.TokenizerImage,
		Command: []string{"vllm", "launch", "render", modelPath,
			"--port=" + strconv.Itoa(wiring.TokenizerPort)},
		Ports: []corev1.ContainerPort{{Name: wiring.TokenizerPortName, ContainerPort: wiring.TokenizerPort, Protocol: corev1.ProtocolTCP}},
		Env: []corev1.EnvVar{
			// The image's home may be read-only; the cache is disposable.
			{Name: "HF_HOME", Value: "/tmp/hf"},
			{Name: "DO_NOT_TRACK", Value: "1"},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("4Gi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("12Gi")},
		},
		ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: "/health", Port: intstr.FromString(wiring.TokenizerPortName), Scheme: corev1.URISchemeHTTP,
		}}},
		VolumeMounts:    []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
		SecurityContext: hardened(),
	}
	pod := corev1.PodSpec{
		// The tokenizer calls no API.
		AutomountServiceAccountToken: ptr.To(false),
		EnableServiceLinks:           ptr.To(false),
		SecurityContext:              &corev1.PodSecurityContext{SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
		Containers:                   []corev1.Container{c},
		Volumes:                      []corev1.Volume{emptyDir("tmp")},
	}
	if u := b.cfg.RunAsUser; u != nil {
		// As the model servers: the Function input's user, so the pod
		// passes Pod Security restricted.
		pod.SecurityContext.RunAsNonRoot = ptr.To(true)
		pod.SecurityContext.RunAsUser = ptr.To(*u)
		pod.SecurityContext.RunAsGroup = ptr.To(*u)
	}
	return pod
}

// tokenizerDeployment composes the tokenizer: its pod with
// scheduler.tokenizer.template merged over it (strategic merge, as every
// template), and the model attached as on the model servers, without the
// LoRA adapters (an adapter shares its base model's tokenizer).
func (b *builder) tokenizerDeployment() (*appsv1.Deployment, field.ErrorList) {
	p := field.NewPath("spec", "router", "scheduler", "tokenizer", "template")
	pod, userArgs, errs := mergeTemplate(b.tokenizerPod(), b.tokenizerTemplateRaw(), p)
	if len(errs) > 0 {
		return nil, errs
	}
	main := wiring.Container(&pod, wiring.MainContainer)
	if main == nil {
		return nil, field.ErrorList{field.InternalError(p.Child("containers"), errNoMainContainer)}
	}
	main.Args = append(main.Args, userArgs...)
	if errs := b.attachModelFiles(&pod, p, false); len(errs) > 0 {
		return nil, errs
	}
	selector := b.selectorLabels(componentTokenizer)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "Deployment"},
		ObjectMeta: b.objectMeta(tokenizerName(b.svc.Name), componentTokenizer),
		Spec: appsv1.DeploymentSpec{
			// Fixed, as KServe's: the tokenizer holds no state.
			Replicas: ptr.To[int32](1),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: maps.Clone(selector)}, Spec: pod},
		},
	}, nil
}

// tokenizerService is the address the token-producer's vllm.url names.
func (b *builder) tokenizerService() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: b.objectMeta(tokenizerName(b.svc.Name), componentTokenizer),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: b.selectorLabels(componentTokenizer),
			Ports: []corev1.ServicePort{{
				Name:        wiring.TokenizerPortName,
				Port:        wiring.TokenizerPort,
				TargetPort:  intstr.FromString(wiring.TokenizerPortName),
				Protocol:    corev1.ProtocolTCP,
				AppProtocol: ptr.To("http"),
			}},
		},
	}
}

// tokenizerTemplateRaw is scheduler.tokenizer.template as written, or nil.
func (b *builder) tokenizerTemplateRaw() map[string]any {
	r, _ := b.svc.Raw["router"].(map[string]any)
	s, _ := r["scheduler"].(map[string]any)
	t, _ := s["tokenizer"].(map[string]any)
	tmpl, _ := t["template"].(map[string]any)
	return tmpl
}

// tokenizerPodSet is the tokenizer's pods, for diagnosis.
func (b *builder) tokenizerPodSet() PodSet {
	return PodSet{
		Resource: ResourceTokenizerDeployment,
		Selector: b.selectorLabels(componentTokenizer),
		Template: field.NewPath("spec", "router", "scheduler", "tokenizer", "template").String(),
	}
}
