package wiring

import corev1 "k8s.io/api/core/v1"

// Container and volume names the presets, the builders and the checks of
// the spec agree on. A template merges onto a container by its name, so
// these are what a user writes to change one.
const (
	// MainContainer runs vLLM in model-server pods and the endpoint
	// picker in its pod: KServe names both "main", so a KServe template
	// that tunes containers[name: main] merges onto them.
	MainContainer = "main"
	// RoutingSidecar is llm-d's routing sidecar on decode pods.
	RoutingSidecar = "llm-d-routing-sidecar"
	// StorageInitializer downloads hf:// and s3:// models and adapters.
	StorageInitializer = "storage-initializer"
	// Modelcar links an oci:// model image's files into the pod.
	Modelcar = "modelcar"
	// SharedMemoryVolume is vLLM's /dev/shm.
	SharedMemoryVolume = "dshm"
)

// Kinds that composed objects refer to each other by. The InferencePool's
// group is giev1.GroupName and the Gateway's gatewayv1.GroupName, from the
// upstream modules.
const (
	PoolKind    = "InferencePool"
	GatewayKind = "Gateway"
	RouteKind   = "HTTPRoute"
)

// The endpoint picker's configuration file: a file format the picker
// reads, not an API object.
const (
	PickerConfigAPIVersion = "llm-d.ai/v1alpha1"
	PickerConfigKind       = "EndpointPickerConfig"
)

// Container returns the container of pod named name, or nil: containers
// are found by the names above, as a strategic merge finds them.
func Container(pod *corev1.PodSpec, name string) *corev1.Container {
	for i := range pod.Containers {
		if pod.Containers[i].Name == name {
			return &pod.Containers[i]
		}
	}
	return nil
}
