package wiring

import (
	"encoding/json"
	"strconv"
)

// Precise prefix-cache routing: vLLM publishes KV-cache events over ZMQ to
// the endpoint picker, which indexes which pod holds which blocks
// (llm-d-and-gie.md §2.5 (c), §3.4).
const (
	// PickerKVEventsPort is where the picker binds its ZMQ subscriber,
	// the port llm-d's guides and KServe's scheduler preset use.
	PickerKVEventsPort = 5557
	// PickerKVEventsPortName names it on the picker's container and
	// Service, as KServe's preset does.
	PickerKVEventsPortName = "zmq"

	// FlagKVEventsConfig is vLLM's KV events publisher configuration.
	FlagKVEventsConfig = "--kv-events-config"
	// FlagBlockSize is vLLM's KV-cache block size in tokens: the picker
	// hashes prompts into blocks of the same size to find them.
	FlagBlockSize = "--block-size"
	// FlagPrefixCachingHashAlgo is how vLLM hashes blocks.
	FlagPrefixCachingHashAlgo = "--prefix-caching-hash-algo"
	// KVEventsHashAlgo is the block hash llm-d's KV-cache indexer
	// computes, so vLLM must hash the same way.
	KVEventsHashAlgo = "sha256_cbor"
	// DefaultKVEventsBlockSize is the indexer's tokenProcessorConfig
	// blockSize when the configuration sets none (vLLM's default on GPUs
	// too); the function passes it to vLLM explicitly all the same.
	DefaultKVEventsBlockSize = 16

	// EnvPodIP is the pod's IP, which the topic of the pod's events
	// carries: the picker keys pods by <ip>:<port>.
	EnvPodIP = "POD_IP"
	// EnvPythonHashSeed seeds vLLM's block hashes; it must equal the
	// indexer's hashSeed where the configuration sets one.
	EnvPythonHashSeed = "PYTHONHASHSEED"
)

// kvEventsConfig is vLLM's KVEventsConfig, the fields the function sets.
type kvEventsConfig struct {
	Enable    bool   `json:"enable_kv_cache_events"`
	Publisher string `json:"publisher"`
	Endpoint  string `json:"endpoint"`
	Topic     string `json:"topic"`
}

// KVEventsConfig is the --kv-events-config value that makes vLLM publish
// its KV-cache events to endpoint (the picker's ZMQ port, tcp://host:port)
// under the topic the indexer reads: kv@<pod ip>:<port>@<model>, with the
// pod IP expanded by Kubernetes from EnvPodIP.
func KVEventsConfig(endpoint string, port int32, model string) string {
	b, _ := json.Marshal(kvEventsConfig{ //nolint:errchkjson // strings and a bool always marshal.
		Enable:    true,
		Publisher: "zmq",
		Endpoint:  endpoint,
		Topic:     "kv@$(" + EnvPodIP + "):" + strconv.Itoa(int(port)) + "@" + model,
	})
	return string(b)
}

// The tokenizer (vLLM's render server) and the latency predictor sidecars
// of the picker pod.
const (
	// TokenizerPort serves the tokenizer's HTTP API, as KServe's preset
	// has it; the tokenizer Service and the token-producer's URL name it.
	TokenizerPort     = 8000
	TokenizerPortName = "render-http"

	// LatencyTrainingPort and LatencyPredictionPort are the latency
	// predictor's servers inside the picker pod, which the picker calls
	// on localhost.
	LatencyTrainingPort   = 8000
	LatencyPredictionPort = 8001
)
