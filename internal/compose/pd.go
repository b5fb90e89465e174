package compose

import (
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// Prefill/decode disaggregation. The routing sidecar on decode pods
// receives the pool's requests, and for each one has the prefill pod the
// endpoint picker chose (request header x-prefiller-host-port) compute the
// prompt's KV cache, then lets the local vLLM decode. Both roles' vLLM
// move KV caches with NIXL in both directions (role.kvTransferConfig): a
// decode pod may also prefill a request the picker did not disaggregate.

// addRoutingSidecar puts the routing sidecar in front of vLLM as a native
// sidecar (a restartable init container): it starts before vLLM and lives
// as long as the pod. The function sets its flags and ports, which must
// match vLLM's and the pool's; its image, resources and security context
// come from the decode preset and the Function input, and a template may
// change them by name.
func (b *builder) addRoutingSidecar(pod *corev1.PodSpec) {
	always := corev1.ContainerRestartPolicyAlways
	pod.InitContainers = append(pod.InitContainers, corev1.Container{
		Name: wiring.RoutingSidecar,
		// Flags of llm-d-router v0.10: --connector is gone (the sidecar
		// exits with status 2 on it) and --vllm-port is deprecated for
		// --model-server-port (still accepted; real-binaries.md). The
		// proxy serves plain HTTP like vLLM; the gateway's TLS ends
		// before it.
		Args: []string{
			"--port=" + strconv.Itoa(wiring.ModelServerPort),
			"--model-server-port=" + strconv.Itoa(wiring.VLLMPortBehindSidecar),
			"--kv-connector=nixlv2",
			"--secure-proxy=false",
		},
		Ports:         []corev1.ContainerPort{{Name: "sidecar", ContainerPort: wiring.ModelServerPort, Protocol: corev1.ProtocolTCP}},
		RestartPolicy: &always,
	})
}

// addKVTransfer lets vLLM exchange KV caches with the other role: the NIXL
// side channel listens on the pod's own IP (the name would not resolve).
// Its ports are declared once the pod's ranks are known (addNIXLPorts).
func addKVTransfer(pod *corev1.PodSpec) {
	main := wiring.Container(pod, wiring.MainContainer)
	setEnv(main, corev1.EnvVar{Name: "VLLM_NIXL_SIDE_CHANNEL_HOST", ValueFrom: &corev1.EnvVarSource{
		FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"},
	}})
	setEnv(main, corev1.EnvVar{Name: "VLLM_NIXL_SIDE_CHANNEL_PORT", Value: strconv.Itoa(wiring.NIXLPort)})
}

// addNIXLPorts declares the NIXL side channel of each of the n data
// parallel ranks from first that c runs: vLLM's rank r listens on
// VLLM_NIXL_SIDE_CHANNEL_PORT + r (real-binaries.md, mismatch 6), and a
// NetworkPolicy keyed on the pods' ports must admit every one. A port the
// template declares already is left as it is.
func addNIXLPorts(c *corev1.Container, first, n int32) {
	for r := first; r < first+n; r++ {
		number := wiring.NIXLSideChannelPort(r)
		if slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.ContainerPort == number }) {
			continue
		}
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: wiring.NIXLPortName(r), ContainerPort: number, Protocol: corev1.ProtocolTCP})
	}
}
