package wiring

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	giev1 "sigs.k8s.io/gateway-api-inference-extension/api/v1"
)

// VLLMCommand starts vLLM's OpenAI-compatible server. Multi-node pods start
// it through a launcher instead.
var VLLMCommand = []string{"vllm", "serve"}

// VLLMModelPath is where model-server pods mount the model, and the
// positional argument of vllm serve.
const VLLMModelPath = "/mnt/models"

// Environment variables of KServe's launcher that the function acts on
// (README, "Flags the function owns").
const (
	// EnvAdditionalArgs holds flags KServe's launcher appends to vllm
	// serve, read as a shell reads them.
	EnvAdditionalArgs = "VLLM_ADDITIONAL_ARGS"
	// EnvAPIServerCount is vLLM's --api-server-count.
	EnvAPIServerCount = "VLLM_API_SERVER_COUNT"
	// EnvResolveAttempts is how often a data parallel pod tries to resolve
	// its leader's address before it uses the name.
	EnvResolveAttempts = "DP_ADDRESS_RESOLVE_ATTEMPTS"
)

// How many values a flag takes.
type nargs int

const (
	// unknownArity: a flag the table does not describe takes the tokens up
	// to the next flag, a guess that is right for every flag the function
	// compares values of (those are all in the table).
	unknownArity nargs = iota
	noValue
	oneValue
	someValues // argparse nargs="+"
)

// ParallelismField is the spec.parallelism field a vLLM flag sets.
type ParallelismField string

// The parallelism fields vLLM flags set.
const (
	ParTensor      ParallelismField = "tensor"
	ParPipeline    ParallelismField = "pipeline"
	ParData        ParallelismField = "data"
	ParDataLocal   ParallelismField = "dataLocal"
	ParExpert      ParallelismField = "expert"
	ParDataRPCPort ParallelismField = "dataRPCPort"
)

// A vllmOption is a vLLM flag the function sets, owns or compares.
type vllmOption struct {
	flag  string
	short []string
	nargs nargs
	// negatable flags are argparse.BooleanOptionalAction: --no-<name>
	// sets them false.
	negatable bool
	// owned says why the function owns the flag and what to set instead;
	// "" for a flag the function only sets as a default the user may
	// replace.
	owned string
	// par is the spec.parallelism field the flag is.
	par ParallelismField
}

// vllmOptions are the vLLM flags the function sets or owns. A flag it owns
// may be repeated with the function's own value (spec.Validate compares
// them); a default it sets is replaced by the user's value. Short forms and
// types are those of vLLM's parser (vllm/engine/arg_utils.py,
// vllm/entrypoints/openai/cli_args.py; -dph, -ep, -dpe and -asc from
// real-binaries.md, mismatch 3).
var vllmOptions = []vllmOption{
	{flag: "--model", nargs: oneValue, owned: "the model comes from spec.model.uri and is passed as vLLM's positional argument " + VLLMModelPath + "; vLLM moves --model to that position, and two models are an error"},
	{flag: "--port", nargs: oneValue, owned: "vLLM listens on " + strconv.Itoa(ModelServerPort) + " (" + strconv.Itoa(VLLMPortBehindSidecar) + " behind the routing sidecar), which the Service, the probes, the sidecar and the pool target"},
	{flag: "--served-model-name", nargs: someValues, owned: "set spec.model.name"},
	{flag: "--tensor-parallel-size", short: []string{"-tp"}, nargs: oneValue, owned: "set spec.parallelism.tensor", par: ParTensor},
	{flag: "--pipeline-parallel-size", short: []string{"-pp"}, nargs: oneValue, owned: "set spec.parallelism.pipeline", par: ParPipeline},
	{flag: "--data-parallel-size", short: []string{"-dp"}, nargs: oneValue, owned: "set spec.parallelism.data", par: ParData},
	{flag: "--data-parallel-size-local", short: []string{"-dpl"}, nargs: oneValue, owned: "set spec.parallelism.dataLocal", par: ParDataLocal},
	{flag: "--data-parallel-rpc-port", short: []string{"-dpp"}, nargs: oneValue, owned: "set spec.parallelism.dataRPCPort", par: ParDataRPCPort},
	{flag: "--enable-expert-parallel", short: []string{"-ep"}, nargs: noValue, negatable: true, owned: "set spec.parallelism.expert", par: ParExpert},
	{flag: "--data-parallel-address", short: []string{"-dpa"}, nargs: oneValue, owned: "the function points every pod of a data parallel group at its leader"},
	{flag: "--data-parallel-start-rank", short: []string{"-dpr"}, nargs: oneValue, owned: "the function computes each pod's first rank"},
	{flag: "--data-parallel-rank", short: []string{"-dpn"}, nargs: oneValue, owned: "the function computes each pod's ranks; a fixed rank would switch vLLM to external load balancing"},
	{flag: "--data-parallel-hybrid-lb", short: []string{"-dph"}, nargs: noValue, negatable: true, owned: "the function sets it on multi-node data parallel groups, where every pod serves its own ranks"},
	{flag: "--data-parallel-external-lb", short: []string{"-dpe"}, nargs: noValue, negatable: true, owned: "the function balances data parallel ranks with --data-parallel-hybrid-lb, and vLLM takes one load balancing mode"},
	{flag: "--data-parallel-multi-port-external-lb", nargs: noValue, negatable: true, owned: "the function balances data parallel ranks with --data-parallel-hybrid-lb, and vLLM takes one load balancing mode"},
	{flag: "--headless", nargs: noValue, owned: "every pod of a data parallel group serves its own ranks"},
	{flag: "--api-server-count", short: []string{"-asc"}, nargs: oneValue, owned: "set " + EnvAPIServerCount + " in the container's env: the function passes it to vLLM, as KServe's launcher does"},
	{flag: "--api-key", nargs: someValues, owned: "a key in args lands in etcd in clear text: set VLLM_API_KEY from a Secret (valueFrom.secretKeyRef)"},

	// Defaults the function sets, which a user's flag replaces.
	{flag: FlagKVTransferConfig, nargs: oneValue},
	{flag: "--otlp-traces-endpoint", nargs: oneValue},
	// A list of modules (all, model, worker): argparse's nargs "+".
	{flag: "--collect-detailed-traces", nargs: someValues},
	{flag: "--enable-lora", nargs: noValue, negatable: true},
	{flag: "--lora-modules", nargs: someValues},
	{flag: "--max-lora-rank", nargs: oneValue},
	{flag: "--max-loras", nargs: oneValue},
	{flag: "--max-cpu-loras", nargs: oneValue},
	{flag: "--distributed-executor-backend", nargs: oneValue},
	{flag: "--all2all-backend", nargs: oneValue},
	{flag: "--quantization", short: []string{"-q"}, nargs: oneValue},
	{flag: "--optimization-level", short: []string{"-O"}, nargs: oneValue},
	// Precise prefix-cache routing (kvevents.go): spec.Validate refuses a
	// user's value that disagrees with the picker's configuration.
	{flag: FlagKVEventsConfig, nargs: oneValue},
	{flag: FlagBlockSize, nargs: oneValue},
	{flag: FlagPrefixCachingHashAlgo, nargs: oneValue},
}

// vllmOtherFlags are vLLM's other long flags, as far as the sources the
// project read go: the add_argument calls of vllm/engine/arg_utils.py
// (EngineArgs.add_cli_args), the FrontendArgs fields of
// vllm/entrypoints/openai/cli_args.py and make_arg_parser's own flags,
// and the load balancing flags vllm/entrypoints/cli/serve.py reads. They
// decide which abbreviations of the flags above are ambiguous: argparse's
// allow_abbrev takes any prefix that matches one flag only.
//
// A flag missing here can only make an abbreviation look unambiguous that
// vLLM finds ambiguous; vLLM refuses those at start anyway, so every
// abbreviation of a flag the function owns is refused either way, and only
// the message differs.
var vllmOtherFlags = []string{
	"--additional-config", "--aggregate-engine-logging", "--allow-credentials", "--allowed-headers",
	"--allowed-local-media-path", "--allowed-media-domains", "--allowed-methods", "--allowed-origins",
	"--async-scheduling", "--block-size", "--calculate-kv-scales", "--chat-template",
	"--chat-template-content-format", "--code-revision", "--cohere-format", "--cohere-is-reasoning-model",
	"--compilation-config", "--config", "--config-format", "--convert",
	"--cpu-offload-gb", "--cuda-graph-sizes", "--cudagraph-capture-sizes", "--data-parallel-backend",
	"--data-parallel-supervisor-port", "--dbo-decode-token-threshold", "--dbo-prefill-token-threshold",
	"--decode-context-parallel-size", "--default-chat-template-kwargs", "--default-mm-loras",
	"--disable-access-log-for-endpoints", "--disable-cascade-attn", "--disable-chunked-mm-input",
	"--disable-custom-all-reduce", "--disable-fastapi-docs", "--disable-hybrid-kv-cache-manager",
	"--disable-log-requests", "--disable-log-stats", "--disable-mm-preprocessor-cache",
	"--disable-nccl-for-dp-synchronization", "--disable-sliding-window", "--disable-uvicorn-access-log",
	"--download-dir", "--dp-supervisor-probe-failure-threshold", "--dp-supervisor-probe-interval-s",
	"--dp-supervisor-probe-timeout-s", "--dtype", "--enable-auto-tool-choice", "--enable-chunked-prefill",
	"--enable-dbo", "--enable-eplb", "--enable-flash-late-interaction", "--enable-force-include-usage",
	"--enable-log-deltas", "--enable-log-outputs", "--enable-log-requests", "--enable-mm-embeds",
	"--enable-multimodal-encoder-data-parallel", "--enable-offline-docs", "--enable-per-request-metrics",
	"--enable-prefix-caching", "--enable-prompt-embeds", "--enable-prompt-tokens-details",
	"--enable-request-id-headers", "--enable-server-load-tracking", "--enable-sleep-mode",
	"--enable-ssl-refresh", "--enable-tokenizer-info-endpoint", "--enforce-eager", "--eplb-config",
	"--eplb-log-balancedness", "--eplb-step-interval", "--eplb-window-size",
	"--exclude-tools-when-tool-choice-none", "--expert-placement-strategy", "--fingerprint-mode",
	"--fingerprint-value", "--fully-sharded-loras", "--generation-config", "--gpu-memory-utilization",
	"--grpc", "--guided-decoding-backend", "--guided-decoding-disable-additional-properties",
	"--guided-decoding-disable-any-whitespace", "--guided-decoding-disable-fallback",
	"--h11-max-header-count", "--h11-max-incomplete-event-size", "--help", "--hf-config-path",
	"--hf-overrides", "--hf-token", "--host", "--ignore-patterns", "--interleave-mm-strings",
	"--io-processor-plugin", "--kv-cache-dtype", "--kv-cache-memory-bytes", "--kv-events-config",
	"--kv-sharing-fast-prefill", "--limit-mm-per-prompt", "--load-format", "--log-config-file",
	"--log-error-stack", "--logits-processor-pattern", "--logits-processors", "--logprobs-mode",
	"--long-prefill-token-threshold", "--lora-dtype", "--lora-extra-vocab-size", "--mamba-block-size",
	"--mamba-cache-dtype", "--mamba-ssm-cache-dtype", "--max-cudagraph-capture-size", "--max-log-len",
	"--max-logprobs", "--max-long-partial-prefills", "--max-model-len", "--max-num-batched-tokens",
	"--max-num-partial-prefills", "--max-num-seqs", "--max-parallel-loading-workers", "--media-io-kwargs",
	"--middleware", "--mm-encoder-attn-backend", "--mm-encoder-tp-mode", "--mm-processor-cache-gb",
	"--mm-processor-cache-type", "--mm-processor-kwargs", "--mm-shm-cache-max-object-size-mb",
	"--model-impl", "--model-loader-extra-config", "--num-gpu-blocks-override", "--num-lookahead-slots",
	"--num-redundant-experts", "--override-attention-dtype",
	"--override-generation-config", "--override-pooler-config", "--pooler-config",
	"--prefix-caching-hash-algo", "--pt-load-map-location", "--ray-workers-use-nsight",
	"--reasoning-parser", "--response-role", "--return-tokens-as-token-ids", "--revision", "--root-path",
	"--rope-scaling", "--rope-theta", "--runner", "--safetensors-load-strategy", "--scheduler-cls",
	"--scheduling-policy", "--seed", "--show-hidden-metrics-for-version", "--skip-mm-profiling",
	"--skip-tokenizer-init", "--speculative-config", "--ssl-ca-certs", "--ssl-cert-reqs",
	"--ssl-certfile", "--ssl-ciphers", "--ssl-keyfile", "--structured-outputs-config", "--swap-space",
	"--task", "--tokenizer", "--tokenizer-mode", "--tokenizer-revision", "--tokens-only",
	"--tool-call-parser", "--tool-parser-plugin", "--tool-server", "--trust-remote-code",
	"--trust-request-chat-template", "--uds", "--use-tqdm-on-load", "--uvicorn-log-level",
	"--video-pruning-rate", "--worker-cls", "--worker-extension-cls",
}

// vllmOtherShort are vLLM's other short forms.
var vllmOtherShort = map[string]string{"-dcp": "--decode-context-parallel-size", "-dpb": "--data-parallel-backend", "-h": "--help"}

var (
	vllmByFlag  = map[string]*vllmOption{}
	vllmShort   = map[string]string{}
	vllmLong    []string // every long flag and --no- form, sorted
	vllmShorts  []string // every short form, sorted
	negativeNum = regexp.MustCompile(`^-\d+$|^-\d*\.\d+$`)
)

func init() {
	long := map[string]bool{}
	for i := range vllmOptions {
		o := &vllmOptions[i]
		vllmByFlag[o.flag] = o
		long[o.flag] = true
		if o.negatable {
			long[noForm(o.flag)] = true
		}
		for _, s := range o.short {
			vllmShort[s] = o.flag
		}
	}
	for _, f := range vllmOtherFlags {
		long[f] = true
	}
	for s, f := range vllmOtherShort {
		vllmShort[s] = f
	}
	for f := range long {
		vllmLong = append(vllmLong, f)
	}
	sort.Strings(vllmLong)
	for s := range vllmShort {
		vllmShorts = append(vllmShorts, s)
	}
	sort.Strings(vllmShorts)
}

func noForm(flag string) string { return "--no-" + strings.TrimPrefix(flag, "--") }

// positive returns the switch whose --no- form flag is, and true; else
// flag and false.
func positive(flag string) (string, bool) {
	if rest, ok := strings.CutPrefix(flag, "--no-"); ok {
		if o := vllmByFlag["--"+rest]; o != nil && o.negatable {
			return o.flag, true
		}
	}
	return flag, false
}

// A VLLMArg is one flag with its values, or one positional argument, of a
// vLLM command line, read as vLLM's parser reads it.
type VLLMArg struct {
	// Flag is the flag's long name as vLLM knows it ("--tensor-parallel-size"
	// for "-tp", "--tensor_parallel" or "--no-enable-expert-parallel"'s
	// "--enable-expert-parallel"); for a flag vLLM does not have, the name
	// as written with "_" read as "-"; "" for a positional argument.
	Flag string
	// Negated is true for the --no- form of a switch.
	Negated bool
	// Ambiguous lists the flags an abbreviation may stand for when it
	// stands for more than one: vLLM refuses it.
	Ambiguous []string
	// Values are the values given with "=" or as the following tokens.
	Values []string
	// Tokens are the tokens as written: Tokens[0] is the flag, and At its
	// index among the tokens parsed.
	Tokens []string
	At     int
}

// Positional is true for a positional argument.
func (a VLLMArg) Positional() bool { return a.Flag == "" }

// Owned returns why the function owns the flag a (or, for an ambiguous
// abbreviation, one of the flags it may stand for) and the parallelism
// field it sets.
func (a VLLMArg) Owned() (flag, why string, par ParallelismField, ok bool) {
	for _, f := range append([]string{a.Flag}, a.Ambiguous...) {
		if o := vllmByFlag[f]; o != nil && o.owned != "" {
			return o.flag, o.owned, o.par, true
		}
	}
	return "", "", "", false
}

// Default is true for a flag the function sets as a default.
func (a VLLMArg) Default() bool {
	o := vllmByFlag[a.Flag]
	return o != nil && o.owned == ""
}

// Bool is the value a switch sets: false for its --no- form or an explicit
// false.
func (a VLLMArg) Bool() bool {
	if a.Negated {
		return false
	}
	return len(a.Values) == 0 || !strings.EqualFold(a.Values[0], "false")
}

// Written is the flag as written, for messages.
func (a VLLMArg) Written() string { return strings.Join(a.Tokens, " ") }

// flagLike reports whether argparse reads tok as a flag: it starts with a
// dash and is not a negative number (vLLM has no flag that looks like one).
func flagLike(tok string) bool {
	return len(tok) > 1 && tok[0] == '-' && !negativeNum.MatchString(tok)
}

// ParseVLLMArgs reads tokens as vLLM's parser does (argparse with
// allow_abbrev, vLLM's FlexibleArgumentParser): "_" and "-" are the same in
// a long flag's name up to the first ".", any unambiguous prefix of a long
// flag or a short form is that flag, "--flag=value" and "--flag value" are
// the same, "-O3" is -O 3, and "--" ends the flags.
func ParseVLLMArgs(tokens []string) []VLLMArg {
	var out []VLLMArg
	for i := 0; i < len(tokens); {
		tok := tokens[i]
		if tok == "--" {
			for j := i + 1; j < len(tokens); j++ {
				out = append(out, VLLMArg{Tokens: tokens[j : j+1], At: j})
			}
			break
		}
		if !flagLike(tok) {
			out = append(out, VLLMArg{Tokens: tokens[i : i+1], At: i})
			i++
			continue
		}
		a := resolveVLLM(tok)
		a.At = i
		n := 1
		if len(a.Values) == 0 {
			a.Values = values(a, tokens[i+1:])
			n += len(a.Values)
		}
		a.Tokens = tokens[i : i+n]
		out = append(out, a)
		i += n
	}
	return out
}

// values are the tokens of next that the flag a takes as its values.
func values(a VLLMArg, next []string) []string {
	take := unknownArity
	if o := vllmByFlag[a.Flag]; o != nil && len(a.Ambiguous) == 0 {
		take = o.nargs
	}
	if take == noValue {
		return nil
	}
	var out []string
	for _, tok := range next {
		if flagLike(tok) || tok == "--" {
			break
		}
		out = append(out, tok)
		if take == oneValue {
			break
		}
	}
	return out
}

// resolveVLLM names the flag tok is and the value written with it.
func resolveVLLM(tok string) VLLMArg {
	name, value, hasValue := strings.Cut(tok, "=")
	var a VLLMArg
	if hasValue {
		a.Values = []string{value}
	}
	if !strings.HasPrefix(name, "--") {
		if strings.HasPrefix(name, "-O") && name != "-O" {
			// vLLM turns -O3 into --optimization-level 3.
			return VLLMArg{Flag: "--optimization-level", Values: []string{strings.TrimPrefix(strings.TrimPrefix(tok, "-O"), "=")}}
		}
		a.Flag, a.Ambiguous = abbreviation(name, vllmShorts)
		if f, ok := vllmShort[a.Flag]; ok {
			a.Flag = f
		} else if len(a.Ambiguous) == 0 && len(name) > 2 {
			// A one-letter short form takes its value glued on: -qfp8.
			if f, ok := vllmShort[name[:2]]; ok {
				a.Flag, a.Values = f, []string{tok[2:]}
			}
		}
		for i, s := range a.Ambiguous {
			a.Ambiguous[i] = vllmShort[s]
		}
		return a
	}
	// vLLM reads "_" as "-" from the dashes to the first "." (a dotted
	// flag sets one key of a JSON flag: --kv-transfer-config.kv_role).
	base, _, _ := strings.Cut(name, ".")
	base = strings.ReplaceAll(base, "_", "-")
	a.Flag, a.Ambiguous = abbreviation(base, vllmLong)
	a.Flag, a.Negated = positive(a.Flag)
	for i, f := range a.Ambiguous {
		a.Ambiguous[i], _ = positive(f)
	}
	return a
}

// abbreviation returns the flag of sorted that name is, or is the only
// prefix of, as argparse's allow_abbrev does; else name and, when name is
// a prefix of several flags, those flags.
func abbreviation(name string, sorted []string) (string, []string) {
	if _, ok := slices.BinarySearch(sorted, name); ok {
		return name, nil
	}
	var matches []string
	for i, _ := slices.BinarySearch(sorted, name); i < len(sorted) && strings.HasPrefix(sorted[i], name); i++ {
		matches = append(matches, sorted[i])
	}
	switch len(matches) {
	case 0:
		return name, nil
	case 1:
		return matches[0], nil
	default:
		return name, matches
	}
}

// The endpoint picker's flags. Its parser (Go's flag package) takes one
// dash or two, "-flag=value" or "-flag value", and a bare switch; it has no
// abbreviations.

// A pickerOption is a picker flag the function owns or compares.
type pickerOption struct {
	// isBool flags take a value only after "=".
	isBool bool
	why    string
}

// pickerOptions are the picker flags the function owns or that break its
// wiring. Each must agree with an object composed next to the picker: the
// picker takes the last value of a repeated flag, so an appended
// --pool-name would silently detach it from the composed pool.
var pickerOptions = map[string]pickerOption{
	"--pool-name":                 {why: "the picker serves the pool composed for this service, or spec.router.scheduler.pool.ref"},
	"--pool-namespace":            {why: "the pool lives in the service's namespace"},
	"--pool-group":                {why: "the composed pool is " + giev1.GroupName},
	"--grpc-port":                 {why: "the pool and the picker Service send ext-proc to port " + strconv.Itoa(PickerGRPCPort)},
	"--grpc-health-port":          {why: "the probes check port " + strconv.Itoa(PickerHealthPort)},
	"--metrics-port":              {why: "the picker Service exposes metrics on port " + strconv.Itoa(PickerMetricsPort)},
	"--config-file":               {why: "set spec.router.scheduler.config (inline or ref)"},
	"--config-text":               {why: "set spec.router.scheduler.config.inline"},
	"--ha-enable-leader-election": {isBool: true, why: "set spec.router.scheduler.replicas above 1, which also grants the lease permissions"},
	// The picker exits when --endpoint-selector and --pool-name are both
	// set (real-binaries.md, mismatch 4).
	"--endpoint-selector": {why: "the picker refuses it next to --pool-name, which the function sets to serve the composed pool; select pods with spec.router.scheduler.pool.spec.selector"},
	// Owned only while a gateway expects TLS (PickerWiring.TLS).
	PickerSecureServing: {isBool: true, why: "the Istio DestinationRule the function composes (input router.provider: Istio) has the gateway talk TLS to the picker, so it would refuse a picker serving plain text; remove --secure-serving=false or choose another provider"},
	// Not owned: compared so that a repeat is dropped.
	PickerMetricsAuth: {isBool: true},
	"--tracing":       {isBool: true},
	"--zap-encoder":   {},
}

// Picker flags the function reads or sets conditionally.
const (
	PickerSecureServing = "--secure-serving"
	PickerMetricsAuth   = "--metrics-endpoint-auth"
)

// A PickerArg is one picker flag with its value.
type PickerArg struct {
	// Flag is the flag spelled with two dashes, "" for a token that is not
	// a flag.
	Flag string
	// Value is its value; "" with HasValue false for a bare switch.
	Value    string
	HasValue bool
	// Tokens are the tokens as written, At the first one's index.
	Tokens []string
	At     int
}

// Bool is the value of a switch.
func (a PickerArg) Bool() bool { return !a.HasValue || !strings.EqualFold(a.Value, "false") }

// ParsePickerArgs reads tokens as the picker's flag parser does.
func ParsePickerArgs(tokens []string) []PickerArg {
	var out []PickerArg
	for i := 0; i < len(tokens); {
		tok := tokens[i]
		if !strings.HasPrefix(tok, "-") || tok == "-" || tok == "--" {
			out = append(out, PickerArg{Tokens: tokens[i : i+1], At: i})
			i++
			continue
		}
		name, value, has := strings.Cut("--"+strings.TrimLeft(tok, "-"), "=")
		a := PickerArg{Flag: name, Value: value, HasValue: has, At: i}
		n := 1
		if o, known := pickerOptions[name]; known && !o.isBool && !has && i+1 < len(tokens) {
			a.Value, a.HasValue, n = tokens[i+1], true, 2
		}
		a.Tokens = tokens[i : i+n]
		out = append(out, a)
		i += n
	}
	return out
}

// PickerWiring is what the function wires the endpoint picker to, for
// comparing the values of the flags it owns. A value left empty is unknown
// (the Function input's extraArgs apply to every service), so no value of
// its flag agrees with it.
type PickerWiring struct {
	Pool, Namespace string
	// LeaderElection is true when the function runs several pickers.
	LeaderElection bool
	// TLS is true when a composed object has the gateway talk TLS to the
	// picker.
	TLS bool
	// Known is true when Pool, Namespace and LeaderElection are known.
	Known bool
}

// own is the value the function gives flag, and whether it gives one.
func (w PickerWiring) own(flag string) (string, bool) {
	switch flag {
	case "--pool-name":
		return w.Pool, w.Known
	case "--pool-namespace":
		return w.Namespace, w.Known
	case "--pool-group":
		return giev1.GroupName, true
	case "--grpc-port":
		return strconv.Itoa(PickerGRPCPort), true
	case "--grpc-health-port":
		return strconv.Itoa(PickerHealthPort), true
	case "--metrics-port":
		return strconv.Itoa(PickerMetricsPort), true
	default:
		return "", false
	}
}

// A FlagRefusal is a flag the function refuses, at the index of its first
// token, with why.
type FlagRefusal struct {
	Index int
	Flag  string
	Why   string
}

// PickerRefusals are the flags in args that break the picker's wiring w:
// a flag the function owns with a value other than the function's, or a
// flag that cannot be set next to the function's.
func PickerRefusals(args []string, w PickerWiring) []FlagRefusal {
	var out []FlagRefusal
	for _, a := range ParsePickerArgs(args) {
		if why := w.refusal(a); why != "" {
			out = append(out, FlagRefusal{Index: a.At, Flag: a.Flag, Why: why})
		}
	}
	return out
}

// refusal says why the flag a breaks the wiring w, "" when it does not.
func (w PickerWiring) refusal(a PickerArg) string {
	o, known := pickerOptions[a.Flag]
	if !known || o.why == "" {
		return ""
	}
	switch a.Flag {
	case PickerSecureServing:
		if w.TLS && !a.Bool() {
			return o.why
		}
		return ""
	case "--ha-enable-leader-election":
		if !w.Known || a.Bool() != w.LeaderElection {
			return o.why
		}
		return ""
	}
	own, ok := w.own(a.Flag)
	switch {
	case ok && a.HasValue && a.Value == own:
		return ""
	case ok:
		return "the function sets it to " + own + ": " + o.why
	default:
		return o.why
	}
}

// MergePickerArgs appends extra to the function's own picker flags,
// leaving out each flag of extra that repeats one of own, or an earlier
// one of extra, with the same value: the picker would read it the same
// either way. Refusals (PickerRefusals) have been made by then.
func MergePickerArgs(own []string, extra ...[]string) []string {
	out := slices.Clone(own)
	seen := map[[2]string]bool{}
	for _, a := range ParsePickerArgs(own) {
		seen[pickerKey(a)] = true
	}
	for _, e := range extra {
		for _, a := range ParsePickerArgs(e) {
			_, known := pickerOptions[a.Flag]
			// A bare flag the table does not know may take the next
			// token as its value: it is never left out alone.
			canDrop := a.Flag != "" && (known || a.HasValue)
			k := pickerKey(a)
			if canDrop && seen[k] {
				continue
			}
			if canDrop {
				seen[k] = true
			}
			out = append(out, a.Tokens...)
		}
	}
	return out
}

// pickerKey identifies a flag and its value: "--secure-serving" and
// "--secure-serving=true" are the same.
func pickerKey(a PickerArg) [2]string {
	if o, ok := pickerOptions[a.Flag]; ok && o.isBool {
		return [2]string{a.Flag, strconv.FormatBool(a.Bool())}
	}
	v := a.Value
	if !a.HasValue {
		v = "\x00" // a bare flag differs from one with an empty value
	}
	return [2]string{a.Flag, v}
}
