//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// load is what a fake model server reports in its metrics: how busy vLLM
// would be.
type load struct {
	waiting, running int
	kvCache          float64
}

var (
	// idle is a model server with nothing to do.
	idle = load{waiting: 0, running: 0, kvCache: 0.05}
	// busy is one with a queue and a nearly full KV cache.
	busy = load{waiting: 12, running: 8, kvCache: 0.9}
)

// A modelServer stands in for vLLM on one pod's IP: it serves /metrics
// with the metric names vLLM exports (the ones the picker scrapes) and
// /v1/completions, answering with its own name so that the test sees
// which pod served a request. It counts what it was asked, so that the
// test can tell when the picker has read its metrics and whether it ever
// routed to it.
type modelServer struct {
	// pod is the namespace/name of the pod it serves for.
	pod string
	ip  string
	// model is the model name it reports in its metrics.
	model string
	srv   *http.Server

	mu          sync.Mutex
	load        load
	scrapes     int
	completions int
}

// listenLoopback listens on port of a loopback address 127.0.0.x that
// nothing else on the machine uses: other tests may run fake servers on
// the same port at the same time. It takes x at random and moves on when
// the address is taken.
func listenLoopback(t *testing.T, port int32, taken map[string]bool) net.Listener {
	t.Helper()
	for _, x := range rand.Perm(250) {
		ip := "127.0.0." + strconv.Itoa(x+2) // not .0, and not .1, where everything else listens
		if taken[ip] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(int(port))))
		if err != nil {
			continue
		}
		taken[ip] = true
		return l
	}
	t.Fatalf("no free loopback address for port %d", port)
	return nil
}

// startModelServer serves on l for pod until the test ends.
func startModelServer(t *testing.T, l net.Listener, pod, model string, initial load) *modelServer {
	t.Helper()
	host, _, _ := net.SplitHostPort(l.Addr().String())
	m := &modelServer{pod: pod, ip: host, model: model, load: initial}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", m.metrics)
	mux.HandleFunc("POST /v1/completions", m.complete)
	m.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := m.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("model server for %s: %v", pod, err)
		}
	}()
	t.Cleanup(func() { _ = m.srv.Shutdown(context.Background()) })
	return m
}

// metrics answers as vLLM's /metrics does, in Prometheus' text format. The
// LoRA and cache-config info series are there because vLLM exports them
// and the picker reads them too.
func (m *modelServer) metrics(w http.ResponseWriter, _ *http.Request) {
	m.mu.Lock()
	l := m.load
	m.scrapes++
	m.mu.Unlock()
	var b strings.Builder
	gauge := func(name, labels string, value any) {
		fmt.Fprintf(&b, "# TYPE %s gauge\n%s{%s} %v\n", name, name, labels, value)
	}
	model := fmt.Sprintf("model_name=%q", m.model)
	gauge("vllm:num_requests_waiting", model, l.waiting)
	gauge("vllm:num_requests_running", model, l.running)
	gauge("vllm:kv_cache_usage_perc", model, l.kvCache)
	gauge("vllm:lora_requests_info", `max_lora="0",running_lora_adapters="",waiting_lora_adapters=""`, time.Now().Unix())
	gauge("vllm:cache_config_info", `block_size="16",num_gpu_blocks="4096"`, 1)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	_, _ = io.WriteString(w, b.String())
}

// completionRequest is the part of an OpenAI completion request the fake
// reads.
type completionRequest struct {
	Model  string `json:"model"`
	Prompt string `json:"prompt"`
}

// completion is the fake's OpenAI completion response.
type completion struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Model   string             `json:"model"`
	Choices []completionChoice `json:"choices"`
	// ServedBy is not OpenAI's: the fake names the pod it stands for.
	ServedBy string `json:"served_by"`
}

type completionChoice struct {
	Index        int    `json:"index"`
	Text         string `json:"text"`
	FinishReason string `json:"finish_reason"`
}

// complete answers a completion request with the model asked for.
func (m *modelServer) complete(w http.ResponseWriter, r *http.Request) {
	var req completionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" || req.Prompt == "" {
		http.Error(w, fmt.Sprintf("not a completion request: %v", err), http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.completions++
	n := m.completions
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(completion{
		ID:       fmt.Sprintf("cmpl-%s-%d", m.ip, n),
		Object:   "text_completion",
		Model:    req.Model,
		Choices:  []completionChoice{{Text: " fake", FinishReason: "length"}},
		ServedBy: m.pod,
	})
}

// setLoad changes what the server reports from now on and returns how many
// scrapes it had served until then.
func (m *modelServer) setLoad(l load) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.load = l
	return m.scrapes
}

// counts returns how often it was scraped and asked for a completion.
func (m *modelServer) counts() (scrapes, completions int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.scrapes, m.completions
}
