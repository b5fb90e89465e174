package wiring

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitAdditionalArgs(t *testing.T) {
	cases := map[string]struct {
		reason string
		value  string
		want   []string
		err    string
	}{
		"Words": {
			reason: "Spaces separate words, however many.",
			value:  "  --max-model-len 8192\t--enforce-eager ",
			want:   []string{"--max-model-len", "8192", "--enforce-eager"},
		},
		"Empty": {
			reason: "An empty value passes nothing.",
			value:  "",
		},
		"SingleQuotedJSON": {
			reason: "Quotes group a word and are removed, as KServe's eval removes them.",
			value:  `--kv_transfer_config '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'`,
			want:   []string{"--kv_transfer_config", `{"kv_connector":"NixlConnector","kv_role":"kv_both"}`},
		},
		"DoubleQuotesAndEscapes": {
			reason: "Double quotes keep spaces; backslashes escape.",
			value:  `--chat-template "a b" --x \"y\"`,
			want:   []string{"--chat-template", "a b", "--x", `"y"`},
		},
		"UnquotedBraces": {
			reason: "bash would expand unquoted braces in KServe's eval, to two words here, or to millions ({1..99999999}): JSON must be quoted.",
			value:  `--x {"a":1,"b":2}`,
			err:    "unquoted braces",
		},
		"UnquotedRange": {
			reason: "A range would expand to as many words.",
			value:  `--x {1..99999999}`,
			err:    "unquoted braces",
		},
		"QuotedBraces": {
			reason: "Quoted braces are text; so is a lone brace.",
			value:  `--x '{"a":1,"b":2}' --y {} --z "{1..3}"`,
			want:   []string{"--x", `{"a":1,"b":2}`, "--y", "{}", "--z", "{1..3}"},
		},
		"References": {
			reason: "Shell and Kubernetes references both come out as $(NAME), which Kubernetes expands in args.",
			value:  `--host $POD_IP --kv-events-config '{"endpoint":"tcp://$(POD_IP):5557"}' --y ${PORT}`,
			want:   []string{"--host", "$(POD_IP)", "--kv-events-config", `{"endpoint":"tcp://$(POD_IP):5557"}`, "--y", "$(PORT)"},
		},
		"LiteralDollar": {
			reason: "A literal $ is escaped for Kubernetes.",
			value:  `--x '$y' --z $$w`,
			want:   []string{"--x", "$$y", "--z", "$$w"},
		},
		"Comment": {
			reason: "A shell drops a comment.",
			value:  "--a 1 # --b 2",
			want:   []string{"--a", "1"},
		},
		"SecondCommand": {
			reason: "A shell operator would run a command in KServe's launcher.",
			value:  "--a 1; rm -rf /",
			err:    "must be flags only",
		},
		"Redirection": {
			reason: "So would a redirection.",
			value:  "--a 1 > /tmp/x",
			err:    "must be flags only",
		},
		"CommandSubstitution": {
			reason: "Command substitution cannot be passed on as a flag.",
			value:  "--a $(hostname -i)",
			err:    "shell expansions that cannot be passed on",
		},
		"DefaultValue": {
			reason: "Nor can a parameter expansion with an operator.",
			value:  "--a ${X:-1}",
			err:    "shell expansions that cannot be passed on",
		},
		"Positional": {
			reason: "VLLM_ADDITIONAL_ARGS has no positional parameters of its own.",
			value:  "--a $@",
			err:    "shell expansions that cannot be passed on",
		},
		"Unterminated": {
			reason: "A value a shell cannot parse is refused.",
			value:  `--a 'x`,
			err:    "not valid shell",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := SplitAdditionalArgs(tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nSplitAdditionalArgs(%q): want error containing %q, got %v, %q", tc.reason, tc.value, tc.err, err, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nSplitAdditionalArgs(%q): %v", tc.reason, tc.value, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nSplitAdditionalArgs(%q): -want, +got:\n%s", tc.reason, tc.value, diff)
			}
		})
	}
}

func TestReadLaunch(t *testing.T) {
	cases := map[string]struct {
		reason  string
		command []string
		want    Launch
		err     string
	}{
		"None": {
			reason: "No command: the function starts vLLM.",
			want:   Launch{Kind: LaunchDefault},
		},
		"Function's": {
			reason:  "vllm serve alone is the function's own command.",
			command: []string{"vllm", "serve"},
			want:    Launch{Kind: LaunchDefault},
		},
		"ExecForm": {
			reason:  "KServe's older configs put the model in the command.",
			command: []string{"/usr/local/bin/vllm", "serve", "/mnt/models", "--port", "8000"},
			want:    Launch{Kind: LaunchVLLM, Tokens: []string{"/mnt/models", "--port", "8000"}},
		},
		"ShellOneCommand": {
			reason:  "A shell running vllm serve: its flags are read, the placeholders left out.",
			command: []string{"/bin/sh", "-c", `vllm serve /mnt/models --port 8000 --served-model-name "my model" $VLLM_ADDITIONAL_ARGS "$@"`},
			want:    Launch{Kind: LaunchVLLM, Shell: true, Tokens: []string{"/mnt/models", "--port", "8000", "--served-model-name", "my model"}},
		},
		"BashExecEval": {
			reason:  "KServe's launchers end in eval \"exec vllm serve ... ${VLLM_ADDITIONAL_ARGS} $@\".",
			command: []string{"/bin/bash", "-c", `eval "exec vllm serve /mnt/models --port 8000 --kv-events-config '{\"a\":\"$POD_IP\"}' ${VLLM_ADDITIONAL_ARGS} $@"`},
			want:    Launch{Kind: LaunchVLLM, Shell: true, Tokens: []string{"/mnt/models", "--port", "8000", "--kv-events-config", `{"a":"$(POD_IP)"}`}},
		},
		"ShellPositionalWords": {
			reason:  "Words after $0 in the command are the script's first positional parameters.",
			command: []string{"sh", "-ec", `exec vllm serve "$@" --enforce-eager`, "vllm", "/mnt/models"},
			want:    Launch{Kind: LaunchVLLM, Shell: true, Tokens: []string{"/mnt/models", "--enforce-eager"}},
		},
		"ShellUnreadableWord": {
			reason:  "A vllm serve whose words the function cannot pass on is refused.",
			command: []string{"bash", "-c", `vllm serve /mnt/models --port $((8000 + 1))`},
			want:    Launch{Kind: LaunchOther, Shell: true},
			err:     "cannot be passed on",
		},
		"ShellScript": {
			reason:  "A script of several commands is another program; it hands args on with $@.",
			command: []string{"bash", "-c", "source /env.sh\nexec vllm serve \"$@\""},
			want:    Launch{Kind: LaunchOther, Shell: true, PassesArgs: true},
		},
		"ShellScriptDropsArgs": {
			reason:  "A script that never says $@ drops the function's flags.",
			command: []string{"sh", "-c", "cd /work && python3 serve.py"},
			want:    Launch{Kind: LaunchOther, Shell: true},
		},
		"Program": {
			reason:  "Another program gets the flags as its args.",
			command: []string{"python3", "-m", "vllm.entrypoints.openai.api_server"},
			want:    Launch{Kind: LaunchOther, PassesArgs: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ReadLaunch(tc.command)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s\nReadLaunch(%q): want error containing %q, got %v", tc.reason, tc.command, tc.err, err)
				}
			} else if err != nil {
				t.Fatalf("%s\nReadLaunch(%q): %v", tc.reason, tc.command, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nReadLaunch(%q): -want, +got:\n%s", tc.reason, tc.command, diff)
			}
		})
	}
}
