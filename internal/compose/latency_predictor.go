package compose

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/wiring"
)

// The latency predictor: two sidecars of the picker that learn and predict
// each pod's time to first token and per output token from what the picker
// observes, for predicted-latency-producer (kserve-v1alpha2.md §2.h, with
// the values of KServe's latency predictor preset).
const (
	latencyTrainingContainer   = "training-server"
	latencyPredictionContainer = "prediction-server"

	latencyTrainingVolume   = "training-server-storage"
	latencyPredictionVolume = "prediction-server-storage"

	latencyTrainingModels   = "/models"
	latencyPredictionModels = "/server_models"

	// latencySidecarUser runs the sidecars: the picker's pod must run as
	// non-root, and the images name no user the function could rely on.
	latencySidecarUser = 65532
)

// addLatencyPredictor adds the training and prediction servers to the
// picker's pod, their storage, and the picker's env that points at them on
// localhost. The pod template merged over this may change any of it.
func (b *builder) addLatencyPredictor(pod *corev1.PodSpec) {
	main := wiring.Container(pod, wiring.MainContainer)
	local := func(port int) string { return "http://localhost:" + strconv.Itoa(port) }
	for _, e := range []corev1.EnvVar{
		{Name: "PREDICTION_SERVER_URL", Value: local(wiring.LatencyPredictionPort)},
		{Name: "TRAINING_SERVER_URL", Value: local(wiring.LatencyTrainingPort)},
		{Name: "LATENCY_MAX_SAMPLE_SIZE", Value: "10000"},
		{Name: "LATENCY_MAX_CONCURRENT_DISPATCHES", Value: "36"},
		{Name: "LATENCY_COALESCE_WINDOW_MS", Value: "1"},
	} {
		setEnv(main, e)
	}
	models := func(dir string) []corev1.EnvVar {
		return []corev1.EnvVar{
			{Name: "LATENCY_TTFT_MODEL_PATH", Value: dir + "/ttft.joblib"},
			{Name: "LATENCY_TPOT_MODEL_PATH", Value: dir + "/tpot.joblib"},
			{Name: "LATENCY_TTFT_SCALER_PATH", Value: dir + "/ttft_scaler.joblib"},
			{Name: "LATENCY_TPOT_SCALER_PATH", Value: dir + "/tpot_scaler.joblib"},
		}
	}
	training := latencySidecar(latencyTrainingContainer, b.cfg.LatencyTrainingImage, "training-port", wiring.LatencyTrainingPort,
		resources("2", "4Gi", "4", "8Gi"), latencyTrainingVolume, latencyTrainingModels,
		append([]corev1.EnvVar{
			{Name: "LATENCY_RETRAINING_INTERVAL_SEC", Value: "1"},
			{Name: "LATENCY_MIN_SAMPLES_FOR_RETRAIN", Value: "100"},
			{Name: "LATENCY_MODEL_TYPE", Value: "xgboost"},
			{Name: "LATENCY_MAX_TRAINING_DATA_SIZE_PER_BUCKET", Value: "5000"},
		}, models(latencyTrainingModels)...))
	prediction := latencySidecar(latencyPredictionContainer, b.cfg.LatencyPredictionImage, "predict-port", wiring.LatencyPredictionPort,
		resources("8", "4Gi", "28", "8Gi"), latencyPredictionVolume, latencyPredictionModels,
		[]corev1.EnvVar{
			{Name: "PREDICT_HOST", Value: "0.0.0.0"},
			{Name: "PREDICT_PORT", Value: strconv.Itoa(wiring.LatencyPredictionPort)},
			{Name: "UVICORN_WORKERS", Value: "28"},
			{Name: "LATENCY_MODEL_TYPE", Value: "xgboost"},
			{Name: "TRAINING_SERVER_URL", Value: local(wiring.LatencyTrainingPort)},
			{Name: "LOCAL_TTFT_MODEL_PATH", Value: latencyPredictionModels + "/ttft.joblib"},
			{Name: "LOCAL_TPOT_MODEL_PATH", Value: latencyPredictionModels + "/tpot.joblib"},
			{Name: "LOCAL_TTFT_SCALER_PATH", Value: latencyPredictionModels + "/ttft_scaler.joblib"},
			{Name: "LOCAL_TPOT_SCALER_PATH", Value: latencyPredictionModels + "/tpot_scaler.joblib"},
			{Name: "BUNDLE_CACHE_DIR", Value: latencyPredictionModels + "/bundles"},
		})
	pod.Containers = append(pod.Containers, training, prediction)
	sized := func(name, size string) corev1.Volume {
		q := resource.MustParse(size)
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &q}}}
	}
	pod.Volumes = append(pod.Volumes,
		sized(latencyTrainingVolume, "20Gi"), sized(latencyPredictionVolume, "10Gi"),
		emptyDir(latencyTrainingContainer+"-tmp"), emptyDir(latencyPredictionContainer+"-tmp"))
}

// latencySidecar is one server of the latency predictor on port, with its
// models on the volume at dir and /tmp of its own.
func latencySidecar(name, image, portName string, port int32, res corev1.ResourceRequirements, volume, dir string, env []corev1.EnvVar) corev1.Container {
	probe := func(path string) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(portName), Scheme: corev1.URISchemeHTTP}},
			PeriodSeconds: 10,
		}
	}
	sc := hardened()
	sc.ReadOnlyRootFilesystem = ptr.To(true)
	sc.RunAsNonRoot = ptr.To(true)
	sc.RunAsUser = ptr.To[int64](latencySidecarUser)
	return corev1.Container{
		Name:           name,
		Image:          image,
		Ports:          []corev1.ContainerPort{{Name: portName, ContainerPort: port, Protocol: corev1.ProtocolTCP}},
		Env:            append([]corev1.EnvVar{{Name: "HOME", Value: "/tmp"}}, env...),
		Resources:      res,
		LivenessProbe:  probe("/healthz"),
		ReadinessProbe: probe("/readyz"),
		VolumeMounts: []corev1.VolumeMount{
			{Name: volume, MountPath: dir},
			{Name: name + "-tmp", MountPath: "/tmp"},
		},
		SecurityContext: sc,
	}
}

// resources are requests and limits of CPU and memory.
func resources(cpu, mem, cpuLimit, memLimit string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpuLimit), corev1.ResourceMemory: resource.MustParse(memLimit)},
	}
}
