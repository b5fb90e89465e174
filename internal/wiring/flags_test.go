package wiring

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVLLMArgs(t *testing.T) {
	type arg struct {
		Flag      string
		Negated   bool
		Ambiguous []string
		Values    []string
		At        int
	}
	cases := map[string]struct {
		reason string
		tokens []string
		want   []arg
	}{
		"LongWithValue": {
			reason: "A flag and its value, written either way.",
			tokens: []string{"--port=8000", "--port", "8000"},
			want:   []arg{{Flag: "--port", Values: []string{"8000"}}, {Flag: "--port", Values: []string{"8000"}, At: 1}},
		},
		"Underscores": {
			reason: "vLLM reads _ as - in a flag's name.",
			tokens: []string{"--tensor_parallel_size=4"},
			want:   []arg{{Flag: "--tensor-parallel-size", Values: []string{"4"}}},
		},
		"UnambiguousPrefix": {
			reason: "argparse's allow_abbrev takes a prefix that matches one flag only.",
			tokens: []string{"--served-model", "m", "--tensor-parallel", "2", "--data-parallel-addr", "x"},
			want: []arg{
				{Flag: "--served-model-name", Values: []string{"m"}},
				{Flag: "--tensor-parallel-size", Values: []string{"2"}, At: 2},
				{Flag: "--data-parallel-address", Values: []string{"x"}, At: 4},
			},
		},
		"AmbiguousPrefix": {
			reason: "A prefix of several flags is refused by vLLM; the candidates are named.",
			tokens: []string{"--data-parallel-s=2"},
			want: []arg{{Flag: "--data-parallel-s", Values: []string{"2"}, Ambiguous: []string{
				"--data-parallel-size", "--data-parallel-size-local", "--data-parallel-start-rank", "--data-parallel-supervisor-port",
			}}},
		},
		"ShortForms": {
			reason: "Short forms, and prefixes of them.",
			tokens: []string{"-tp", "2", "-dpa=h", "-t", "4", "-asc", "3"},
			want: []arg{
				{Flag: "--tensor-parallel-size", Values: []string{"2"}},
				{Flag: "--data-parallel-address", Values: []string{"h"}, At: 2},
				{Flag: "--tensor-parallel-size", Values: []string{"4"}, At: 3},
				{Flag: "--api-server-count", Values: []string{"3"}, At: 5},
			},
		},
		"NegatedSwitch": {
			reason: "The --no- form of a switch is that switch, false.",
			tokens: []string{"--no-enable-expert-parallel", "--enable-ep"},
			want:   []arg{{Flag: "--enable-expert-parallel", Negated: true}, {Flag: "--enable-eplb", At: 1}},
		},
		"SwitchTakesNoValue": {
			reason: "A switch leaves the next token alone.",
			tokens: []string{"--headless", "--max-model-len", "8192"},
			want:   []arg{{Flag: "--headless"}, {Flag: "--max-model-len", Values: []string{"8192"}, At: 1}},
		},
		"ManyValues": {
			reason: "--served-model-name takes names up to the next flag.",
			tokens: []string{"--served-model-name", "a", "b", "--port", "8000"},
			want:   []arg{{Flag: "--served-model-name", Values: []string{"a", "b"}}, {Flag: "--port", Values: []string{"8000"}, At: 3}},
		},
		"Positional": {
			reason: "A token before any flag is the positional model.",
			tokens: []string{"/mnt/models", "--model", "/m"},
			want:   []arg{{}, {Flag: "--model", Values: []string{"/m"}, At: 1}},
		},
		"NegativeNumber": {
			reason: "A negative number is a value, not a flag.",
			tokens: []string{"--max-model-len", "-1"},
			want:   []arg{{Flag: "--max-model-len", Values: []string{"-1"}}},
		},
		"DottedJSONKey": {
			reason: "A dotted flag sets a key of a JSON flag: its name is the flag's.",
			tokens: []string{"--kv_transfer_config.kv_role=kv_both"},
			want:   []arg{{Flag: "--kv-transfer-config", Values: []string{"kv_both"}}},
		},
		"OptimizationLevel": {
			reason: "vLLM reads -O3 as -O 3.",
			tokens: []string{"-O3"},
			want:   []arg{{Flag: "--optimization-level", Values: []string{"3"}}},
		},
		"EndOfFlags": {
			reason: "After --, tokens are positional.",
			tokens: []string{"--", "--port"},
			want:   []arg{{At: 1}},
		},
		"UnknownFlag": {
			reason: "A flag vLLM does not have keeps its name.",
			tokens: []string{"--my_flag", "x"},
			want:   []arg{{Flag: "--my-flag", Values: []string{"x"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []arg
			for _, a := range ParseVLLMArgs(tc.tokens) {
				got = append(got, arg{Flag: a.Flag, Negated: a.Negated, Ambiguous: a.Ambiguous, Values: a.Values, At: a.At})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nParseVLLMArgs(%q): -want, +got:\n%s", tc.reason, tc.tokens, diff)
			}
		})
	}
}

func TestVLLMArgOwned(t *testing.T) {
	type want struct {
		flag  string
		par   ParallelismField
		owned bool
	}
	cases := map[string]struct {
		reason string
		token  string
		want   want
	}{
		"Port":              {reason: "The port is the function's.", token: "--por=1", want: want{flag: "--port", owned: true}},
		"Model":             {reason: "--model moves the positional.", token: "--model=x", want: want{flag: "--model", owned: true}},
		"Tensor":            {reason: "Parallelism flags are spec.parallelism's.", token: "-tp=2", want: want{flag: "--tensor-parallel-size", par: ParTensor, owned: true}},
		"ExpertShort":       {reason: "-ep is --enable-expert-parallel.", token: "-ep", want: want{flag: "--enable-expert-parallel", par: ParExpert, owned: true}},
		"HybridShort":       {reason: "-dph is the hybrid load balancer.", token: "-dph", want: want{flag: "--data-parallel-hybrid-lb", owned: true}},
		"RankShort":         {reason: "-dpn fixes a rank.", token: "-dpn=1", want: want{flag: "--data-parallel-rank", owned: true}},
		"StartRankShort":    {reason: "-dpr is the start rank.", token: "-dpr=1", want: want{flag: "--data-parallel-start-rank", owned: true}},
		"ExternalLBShort":   {reason: "-dpe is the external load balancer.", token: "-dpe", want: want{flag: "--data-parallel-external-lb", owned: true}},
		"RPCPortShort":      {reason: "-dpp is the RPC port.", token: "-dpp=1", want: want{flag: "--data-parallel-rpc-port", par: ParDataRPCPort, owned: true}},
		"Ambiguous":         {reason: "An ambiguous prefix that may be an owned flag is owned.", token: "--data-parallel-s=2", want: want{flag: "--data-parallel-size", par: ParData, owned: true}},
		"NotOwned":          {reason: "Flags the function does not set are the user's.", token: "--max-model-len=8192", want: want{}},
		"DefaultIsNotOwned": {reason: "Defaults the function sets are replaceable.", token: "--kv-transfer-config={}", want: want{}},
		"PrefixOfOther":     {reason: "A prefix of flags the function does not own is the user's.", token: "--max-num=2", want: want{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			args := ParseVLLMArgs([]string{tc.token})
			flag, why, par, owned := args[0].Owned()
			if diff := cmp.Diff(tc.want, want{flag: flag, par: par, owned: owned}, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s\nOwned(%q): -want, +got:\n%s", tc.reason, tc.token, diff)
			}
			if owned && why == "" {
				t.Errorf("%s\n%q: an owned flag needs a reason the user can act on", tc.reason, tc.token)
			}
		})
	}
}

func TestPickerRefusals(t *testing.T) {
	known := PickerWiring{Pool: "llama-inference-pool", Namespace: "ns", Known: true}
	cases := map[string]struct {
		reason string
		args   []string
		wiring PickerWiring
		want   []string // the refused flags
	}{
		"OwnValues": {
			reason: "Owned flags repeating the function's values are accepted, either spelling.",
			args:   []string{"--pool-name", "llama-inference-pool", "-pool-namespace=ns", "--grpc-port=9002", "--grpc-health-port", "9003", "--metrics-port=9090", "--pool-group=inference.networking.k8s.io"},
			wiring: known,
		},
		"OtherPool": {
			reason: "A pool name that contradicts the function's is refused.",
			args:   []string{"--pool-name=other"},
			wiring: known,
			want:   []string{"--pool-name"},
		},
		"UnknownPool": {
			reason: "Without a service no pool name agrees (the input's extraArgs).",
			args:   []string{"--pool-name=llama-inference-pool", "--grpc-port=9002"},
			wiring: PickerWiring{},
			want:   []string{"--pool-name"},
		},
		"OtherPort": {
			reason: "Ports must be the function's.",
			args:   []string{"---grpc-port", "9000"},
			wiring: known,
			want:   []string{"--grpc-port"},
		},
		"Config": {
			reason: "The function owns the picker's configuration.",
			args:   []string{"-config-file", "/x", "--config-text=y"},
			wiring: known,
			want:   []string{"--config-file", "--config-text"},
		},
		"EndpointSelector": {
			reason: "The picker exits with --endpoint-selector next to --pool-name.",
			args:   []string{"--endpoint-selector=app=x"},
			wiring: known,
			want:   []string{"--endpoint-selector"},
		},
		"PlainTextUnderTLS": {
			reason: "Istio's DestinationRule expects the picker's TLS.",
			args:   []string{"--secure-serving=false"},
			wiring: PickerWiring{TLS: true},
			want:   []string{"--secure-serving"},
		},
		"PlainTextWithoutTLS": {
			reason: "Without a TLS gateway, plain text is the platform's choice.",
			args:   []string{"--secure-serving=false"},
			wiring: known,
		},
		"KServeTLSFlags": {
			reason: "KServe's configs set these, and they keep the wiring.",
			args:   []string{"--secure-serving", "--cert-path", "/etc/ssl/certs", "--metrics-endpoint-auth=false", "--v=2"},
			wiring: PickerWiring{TLS: true},
		},
		"LeaderElection": {
			reason: "Leader election agrees only with several pickers.",
			args:   []string{"--ha-enable-leader-election"},
			wiring: known,
			want:   []string{"--ha-enable-leader-election"},
		},
		"LeaderElectionAgrees": {
			reason: "With several pickers it repeats the function's flag.",
			args:   []string{"--ha-enable-leader-election=true"},
			wiring: PickerWiring{Known: true, LeaderElection: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var got []string
			for _, r := range PickerRefusals(tc.args, tc.wiring) {
				if r.Why == "" {
					t.Errorf("%s\n%s: a refusal needs a reason", tc.reason, r.Flag)
				}
				got = append(got, r.Flag)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nPickerRefusals(%q): -want, +got:\n%s", tc.reason, tc.args, diff)
			}
		})
	}
}

func TestMergePickerArgs(t *testing.T) {
	own := []string{"--pool-name=p", "--grpc-port=9002", "--metrics-endpoint-auth=false"}
	cases := map[string]struct {
		reason string
		extra  [][]string
		want   []string
	}{
		"Repeats": {
			reason: "A repeat of the function's flag, in any spelling, appears once.",
			extra:  [][]string{{"--pool-name", "p", "-grpc-port=9002"}, {"--metrics-endpoint-auth=false", "--v=2", "--v=2"}},
			want:   []string{"--pool-name=p", "--grpc-port=9002", "--metrics-endpoint-auth=false", "--v=2"},
		},
		"BareUnknownFlag": {
			reason: "A bare flag the table does not know may take the next token: it stays with it.",
			extra:  [][]string{{"--v", "2", "--v", "2"}},
			want:   append(append([]string{}, own...), "--v", "2", "--v", "2"),
		},
		"OtherValue": {
			reason: "A flag with another value is kept.",
			extra:  [][]string{{"--zap-encoder", "console"}},
			want:   append(append([]string{}, own...), "--zap-encoder", "console"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, MergePickerArgs(own, tc.extra...)); diff != "" {
				t.Errorf("%s\nMergePickerArgs(...): -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
