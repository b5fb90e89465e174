package templates

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestRenderRefuses is the table of every template the renderer refuses.
// Each refusal names the field that holds the template and quotes it, and
// says what is wrong; the bounds stop the render at the first field that
// crosses them.
func TestRenderRefuses(t *testing.T) {
	const field = "spec.template.containers[main].args[0]"
	cases := map[string]struct {
		reason string
		spec   string
		want   []string
		// count of errors, when not 1.
		count int
	}{
		"DoesNotParse": {
			reason: "An action that is not closed.",
			spec:   withArgs(`"--model={{ .Spec.Model.Name"`, ""),
			want:   []string{field, `Invalid value: "--model={{ .Spec.Model.Name"`, "cannot render the template", "unclosed action"},
		},
		"UnknownFunction": {
			reason: "Only KServe's functions and text/template's builtins exist.",
			spec:   withArgs(`"{{ env \"HOME\" }}"`, ""),
			want:   []string{field, `function "env" not defined`, "the functions are ChildName, kvTransferConfig, shutdownTimeout and text/template's builtins"},
		},
		"RenderersOwnFunctions": {
			reason: "The functions the renderer adds to the trees are not the user's.",
			spec:   withArgs(`"{{ _step 1 }}{{ _print \"x\" 1 }}"`, ""),
			want:   []string{field, `function "_step" not defined`},
		},
		"MissingField": {
			reason: "A field KServe's types do not have.",
			spec:   withArgs(`"{{ .Spec.Model.Revision }}"`, ""),
			want:   []string{field, "can't evaluate field Revision"},
		},
		"Status": {
			reason: "The function composes from the spec alone: no status.",
			spec:   withArgs(`"{{ .Status.URL }}"`, ""),
			want:   []string{field, "can't evaluate field Status"},
		},
		"MissingKey": {
			reason: "A label the service does not have is a missing key, not an empty string.",
			spec:   withArgs(`"{{ .ObjectMeta.Labels.team }}"`, ""),
			want:   []string{field, `map has no entry for key "team"`},
		},
		"NilPointer": {
			reason: "A field under an unset one, unguarded: KServe's DP presets fail this way too.",
			spec:   withArgs(`"{{ .Spec.Prefill.Replicas }}"`, ""),
			want:   []string{field, "nil pointer evaluating *spec.WorkloadSpec.Replicas"},
		},
		"PrintsNoValue": {
			reason: "An unset value would print <nil> into the flag; it is refused with the fix.",
			spec:   withArgs(`"--data-parallel-size={{ .Spec.Parallelism.Data }}"`, `"parallelism": {"tensor": 2}`),
			want:   []string{field, "{{.Spec.Parallelism.Data}} has no value: it is not set", "{{or .Spec.Parallelism.Data 1}}"},
		},
		"PrintsAStruct": {
			reason: "A struct prints the addresses of its pointers, which differ from call to call.",
			spec:   withArgs(`"{{ .Spec.Parallelism }}"`, `"parallelism": {"tensor": 2}`),
			want:   []string{field, "{{.Spec.Parallelism}} is a spec.ParallelismSpec, not a string, number, boolean or quantity: print one of its fields"},
		},
		"PrintfOfAStruct": {
			reason: "The same through printf.",
			spec:   withArgs(`"{{ printf \"%v\" .Spec.Model }}"`, ""),
			want:   []string{field, "the argument 1 of printf is a spec.LLMModelSpec"},
		},
		"PrintfOfTheDot": {
			reason: "Whatever the verb, a struct is not printed: fmt would print its pointers' addresses.",
			spec:   withArgs(`"{{ printf \"%d\" $ }}{{ printf \"%x\" .Spec.Template }}"`, ""),
			want:   []string{field, "the argument 1 of printf is a templates.dot"},
		},
		"PrintfOfNil": {
			reason: "An unset value through print.",
			spec:   withArgs(`"{{ print .Spec.Replicas }}"`, ""),
			want:   []string{field, "the argument 1 of print has no value"},
		},
		"RangeOverAStruct": {
			reason: "text/template's message would print the whole spec, pointers' addresses included; the same template must give the same message.",
			spec:   withArgs(`"{{ range $ }}{{ end }}"`, ""),
			want:   []string{field, "range can't iterate over this value: range over a list, a map or a number"},
		},
		"ShutdownTimeoutWrongArgument": {
			reason: "shutdownTimeout takes a pod spec.",
			spec:   withArgs(`"{{ shutdownTimeout .Spec.Model 15 }}"`, ""),
			want:   []string{field, "shutdownTimeout takes a pod spec", "not a spec.LLMModelSpec"},
		},
		"KVTransferConfigWrongArgument": {
			reason: "kvTransferConfig takes the offloading spec.",
			spec:   withArgs(`"{{ kvTransferConfig .Spec.Model }}"`, ""),
			want:   []string{field, "kvTransferConfig takes .Spec.KVCacheOffloading or .Spec.Prefill.KVCacheOffloading"},
		},
		"KVTransferConfigWithoutCPU": {
			reason: "KServe requires the CPU size.",
			spec:   withArgs(`"{{ kvTransferConfig .Spec.KVCacheOffloading }}"`, `"kvCacheOffloading": {"evictionPolicy": "lru"}`),
			want:   []string{field, "with its cpu set"},
		},
		"CallsNothing": {
			reason: "Nothing in the data is a function: call has nothing to call.",
			spec:   withArgs(`"{{ call .Spec.Model.URI }}"`, ""),
			want:   []string{field, "non-function"},
		},
		"Recursion": {
			reason: "A template that calls itself would run until the stack gives out.",
			spec:   withArgs(`"{{ define \"a\" }}{{ template \"a\" . }}{{ end }}{{ template \"a\" . }}"`, ""),
			want:   []string{field, `template "a" calls itself`},
		},
		"RecursionThroughOthers": {
			reason: "Indirect recursion, including through the string's own template.",
			spec:   withArgs(`"{{ define \"a\" }}{{ template \"b\" . }}{{ end }}{{ define \"b\" }}{{ template \"a\" . }}{{ end }}x"`, ""),
			want:   []string{field, `template "a" calls itself`},
		},
		"LongLoop": {
			reason: "A range over a large number runs without printing; its iterations are metered.",
			spec:   withArgs(`"{{ range 1000000000 }}{{ end }}"`, ""),
			want:   []string{field, "the loops and nested templates of the spec run more than 10000 steps"},
		},
		"NestedLoops": {
			reason: "Loops within loops over the spec's own lists.",
			spec:   withArgs(`"{{ range $a := .Spec.Template.Containers }}{{ range 200 }}{{ range 200 }}{{ end }}{{ end }}{{ end }}"`, ""),
			want:   []string{field, "more than 10000 steps"},
		},
		"Fanout": {
			reason: "Templates that call the one below twice double the work at every level without recursing.",
			spec:   withArgs(strconv.Quote(fanout(16)), ""),
			want:   []string{field, "more than 10000 steps"},
		},
		"TooMuchOutput": {
			reason: "A template that expands to megabytes.",
			spec:   withArgs(`"{{ range 100 }}{{ printf \"%0100000d\" 0 }}{{ end }}"`, ""),
			want:   []string{field, "the templates of the spec print more than 1048576 bytes"},
		},
		"TooMuchTextNotPrinted": {
			reason: "Text a template builds and never prints counts too.",
			spec:   withArgs(`"{{ $x := printf \"%0900000d\" 0 }}{{ $x = print $x $x }}{{ $x = print $x $x }}{{ $x = print $x $x }}"`, ""),
			want:   []string{field, "the functions the templates of the spec call return more than 4194304 bytes of text"},
		},
		"OverTheBoundAcrossFields": {
			reason: "The bound is for the spec, not for each field: the field that crosses it is named, and the render stops there.",
			spec:   `{"model": {"uri": "hf://o/m"}, "labels": {"a": "{{ printf \"%0400000d\" 0 }}", "b": "{{ printf \"%0400000d\" 0 }}", "c": "{{ printf \"%0400000d\" 0 }}", "d": "{{ printf \"%0400000d\" 0 }}"}}`,
			want:   []string{"spec.labels[c]", "print more than 1048576 bytes"},
		},
		"EveryField": {
			reason: "Every failing field is reported, in field order.",
			spec:   `{"model": {"uri": "hf://o/m"}, "labels": {"a": "{{ .Spec.Nope }}", "b": "{{ .ObjectMeta.Name }}", "c": "{{ nope }}"}}`,
			want:   []string{"spec.labels[a]", "can't evaluate field Nope", "spec.labels[c]", `function "nope" not defined`},
			count:  2,
		},
		"LongTemplateQuoted": {
			reason: "A long template is quoted in part: the field path finds it.",
			spec:   withArgs(`"`+strings.Repeat("x", 300)+`{{ .Nope }}"`, ""),
			want:   []string{field, `Invalid value: "` + strings.Repeat("x", 200) + `..."`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, errs, err := Render(obj(t, tc.spec), input)
			if err != nil {
				t.Fatalf("%s\nRender returned an error, want field errors: %v", tc.reason, err)
			}
			if got != nil {
				t.Errorf("%s\nRender returned a spec with its errors", tc.reason)
			}
			want := max(tc.count, 1)
			if len(errs) != want {
				t.Fatalf("%s\nRender: want %d errors, got %d: %v", tc.reason, want, len(errs), errs)
			}
			msg := errs.ToAggregate().Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%s\nthe errors do not mention %q:\n%s", tc.reason, w, msg)
				}
			}
		})
	}
}

// fanout is templates t0 to t<levels>, each calling the one below twice,
// and a call of the top one: 2^levels calls of t0.
func fanout(levels int) string {
	var b strings.Builder
	b.WriteString(`{{ define "t0" }}{{ end }}`)
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, `{{ define "t%d" }}{{ template "t%d" }}{{ template "t%d" }}{{ end }}`, i, i-1, i-1)
	}
	fmt.Fprintf(&b, `{{ template "t%d" }}`, levels)
	return b.String()
}
