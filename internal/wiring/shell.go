package wiring

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// Shell words, read with a real shell parser (mvdan.cc/sh): how KServe's
// launcher reads VLLM_ADDITIONAL_ARGS and how a container's shell reads a
// command, so that the function can check their flags and pass them to vLLM
// itself.
//
// Two expansions happen before vLLM sees a word, and both are kept:
//   - Kubernetes expands $(NAME) from the container's env in commands, args
//     and env values, and reduces $$ to $;
//   - the shell expands $NAME and ${NAME} from the process's env, which is
//     the container's env.
//
// The words become container args, where Kubernetes expands $(NAME) again:
// both kinds of reference come out as $(NAME), and a literal $ as $$. A
// reference stands for one word, where a shell would split an unquoted
// reference's value at spaces. Command substitution, arithmetic, and
// parameter expansions with operators (${NAME:-x}) are not carried over:
// they are refused.

// Placeholders and markers inside expanded words: private-use runes, which
// shell syntax treats as letters.
const (
	markDollar   = "\uE000" // a literal $ Kubernetes leaves in the text ($$)
	markRefOpen  = "\uE001" // $(NAME) or $NAME: \uE001NAME\uE002
	markRefClose = "\uE002"
	markExtra    = "\uE003" + EnvAdditionalArgs // $VLLM_ADDITIONAL_ARGS
	markArgs     = "\uE003@"                    // "$@", the container's args
)

var kubeRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// kubePrepass marks what Kubernetes expands in s before a shell sees it.
func kubePrepass(s string) string {
	s = strings.ReplaceAll(s, "$$", markDollar)
	return kubeRef.ReplaceAllString(s, markRefOpen+"$1"+markRefClose)
}

// kubeArg writes an expanded word as a container arg: literal dollars
// escaped, references as $(NAME).
func kubeArg(w string) string {
	w = strings.ReplaceAll(w, "$", "$$")
	w = strings.ReplaceAll(w, markDollar, "$$")
	w = strings.ReplaceAll(w, markRefOpen, "$(")
	return strings.ReplaceAll(w, markRefClose, ")")
}

// markEnv expands every variable to a marker of its name, and $@, $* and
// VLLM_ADDITIONAL_ARGS to placeholders.
type markEnv struct{}

func (markEnv) Get(name string) expand.Variable {
	switch name {
	case "@", "*":
		return expand.Variable{Set: true, Kind: expand.Indexed, List: []string{markArgs}}
	case EnvAdditionalArgs:
		return expand.Variable{Set: true, Kind: expand.String, Str: markExtra}
	case "IFS":
		// Unset: the shell's default field separators.
		return expand.Variable{}
	}
	if !identifier.MatchString(name) {
		return expand.Variable{} // checkWords refused these.
	}
	return expand.Variable{Set: true, Kind: expand.String, Str: markRefOpen + name + markRefClose}
}

func (markEnv) Each(func(string, expand.Variable) bool) {}

// errBraces is returned for unquoted braces, which bash would expand (and
// which could expand to more words than anything can hold).
var errBraces = errors.New("has unquoted braces, which bash expands ({a,b} is two words): quote JSON and other braces, '{\"key\": \"value\"}'")

var braceExpansion = regexp.MustCompile(`\{[^{}]*(,|\.\.)[^{}]*\}`)

// braces reports whether the unquoted text of w has a brace expansion.
func braces(w *syntax.Word) bool {
	var text strings.Builder
	for _, p := range w.Parts {
		if lit, ok := p.(*syntax.Lit); ok {
			text.WriteString(lit.Value)
		} else {
			text.WriteString(" ")
		}
	}
	return braceExpansion.MatchString(text.String())
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// errNotCarried is returned for a word the function cannot carry into
// container args.
var errNotCarried = errors.New("uses shell expansions that cannot be passed on as flags: only quotes and plain $NAME, ${NAME} or $(NAME) references")

// checkWords refuses what the function cannot carry over; args allows
// $@ and $* (in a command, not in VLLM_ADDITIONAL_ARGS).
func checkWords(node syntax.Node, args bool) error {
	var err error
	syntax.Walk(node, func(n syntax.Node) bool {
		if err != nil {
			return false
		}
		switch n := n.(type) {
		case *syntax.Word:
			if braces(n) {
				err = errBraces
			}
		case *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob:
			err = errNotCarried
		case *syntax.ParamExp:
			name := n.Param.Value
			plain := !n.Excl && !n.Length && !n.Width && n.Index == nil && n.Slice == nil && n.Repl == nil && n.Names == 0 && n.Exp == nil
			positional := args && (name == "@" || name == "*")
			if !plain || (!identifier.MatchString(name) && !positional) {
				err = errNotCarried
			}
		}
		return true
	})
	return err
}

// parseShell parses s as a shell of dialect lang.
func parseShell(s string, lang syntax.LangVariant) (*syntax.File, error) {
	f, err := syntax.NewParser(syntax.Variant(lang)).Parse(strings.NewReader(s), "")
	if err != nil {
		return nil, fmt.Errorf("not valid shell: %w", err)
	}
	return f, nil
}

// oneCall returns the words of f when f is a single simple command with no
// redirections or variable assignments, else nil.
func oneCall(f *syntax.File) []*syntax.Word {
	if len(f.Stmts) != 1 {
		return nil
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 || len(call.Assigns) > 0 {
		return nil
	}
	return call.Args
}

// fields expands words as the shell would, with every reference marked.
func fields(words []*syntax.Word) ([]string, error) {
	out, err := expand.Fields(&expand.Config{Env: markEnv{}}, words...)
	if err != nil {
		return nil, fmt.Errorf("cannot expand: %w", err)
	}
	return out, nil
}

// SplitAdditionalArgs splits the value of VLLM_ADDITIONAL_ARGS into the
// tokens vLLM receives from KServe's launcher, which evaluates it as part
// of a bash command line (eval "vllm serve ... ${VLLM_ADDITIONAL_ARGS}"):
// quotes group words and are removed, and references are kept (see above).
// A value that is more than words (; && | > or a second line) is refused.
func SplitAdditionalArgs(value string) ([]string, error) {
	// The value follows other words on KServe's command line, where
	// reserved words and assignments are plain words.
	f, err := parseShell("vllm "+kubePrepass(value), syntax.LangBash)
	if err != nil {
		return nil, err
	}
	words := oneCall(f)
	if words == nil {
		return nil, errors.New("must be flags only: a shell operator, redirection or second command would run in KServe's launcher")
	}
	if err := checkWords(f, false); err != nil {
		return nil, err
	}
	fs, err := fields(words[1:])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, w := range fs {
		out = append(out, kubeArg(w))
	}
	return out, nil
}

// LaunchKind is how a container's command starts vLLM.
type LaunchKind int

const (
	// LaunchDefault is no command, or the function's own: the function
	// starts vLLM.
	LaunchDefault LaunchKind = iota
	// LaunchVLLM is a command that runs vllm serve, in exec form or as a
	// shell script of that one command; Tokens are its arguments.
	LaunchVLLM
	// LaunchOther is another program or script: it gets the function's
	// flags as its args.
	LaunchOther
)

// A Launch is what a container's command says about starting vLLM.
type Launch struct {
	Kind LaunchKind
	// Tokens are vllm serve's arguments in the command (LaunchVLLM),
	// without the positional parameters and VLLM_ADDITIONAL_ARGS, which
	// the function passes itself.
	Tokens []string
	// PassesArgs is true when a LaunchOther command hands the container's
	// args on: a program does, a shell script only where it says "$@".
	PassesArgs bool
	// Shell is true for a command that runs a shell script.
	Shell bool
}

// shells are the shells whose -c scripts are read.
var shells = map[string]syntax.LangVariant{"sh": syntax.LangPOSIX, "dash": syntax.LangPOSIX, "ash": syntax.LangPOSIX, "bash": syntax.LangBash}

// ReadLaunch reads a container's command: vllm serve (exec form, or a
// shell's -c script that is that one command, with exec or eval in front
// as KServe's launchers write it), or another program. A vllm serve whose
// words cannot be passed on as flags is an error.
func ReadLaunch(command []string) (Launch, error) {
	if len(command) == 0 || (len(command) == len(VLLMCommand) && command[0] == VLLMCommand[0] && command[1] == VLLMCommand[1]) {
		return Launch{Kind: LaunchDefault}, nil
	}
	if len(command) >= 2 && path.Base(command[0]) == "vllm" && command[1] == "serve" {
		return Launch{Kind: LaunchVLLM, Tokens: command[2:]}, nil
	}
	lang, shell := shells[path.Base(command[0])]
	if !shell || len(command) < 3 || !strings.HasPrefix(command[1], "-") || strings.HasPrefix(command[1], "--") || !strings.Contains(command[1], "c") {
		return Launch{Kind: LaunchOther, PassesArgs: true}, nil
	}
	script := kubePrepass(command[2])
	f, err := parseShell(script, lang)
	if err != nil {
		return Launch{Kind: LaunchOther, Shell: true}, nil //nolint:nilerr // An unreadable script is another program, which spec.Validate judges.
	}
	l := Launch{Kind: LaunchOther, Shell: true, PassesArgs: usesArgs(f)}
	tokens, isVLLM, err := vllmCall(f, lang)
	if !isVLLM {
		return l, nil
	}
	if err != nil {
		return l, err
	}
	// The shell's $1... are the command's words after $0, then the
	// container's args: those the function appends itself.
	var extra []string
	if len(command) > 4 {
		extra = command[4:]
	}
	out := make([]string, 0, len(tokens)+len(extra))
	for _, t := range tokens {
		switch t {
		case markArgs:
			out = append(out, extra...)
			extra = nil
		case markExtra:
		default:
			out = append(out, kubeArg(t))
		}
	}
	return Launch{Kind: LaunchVLLM, Tokens: out, Shell: true}, nil
}

// vllmCall returns vllm serve's expanded arguments when f is that one
// command, after exec or inside eval; isVLLM is false when it is not.
func vllmCall(f *syntax.File, lang syntax.LangVariant) (tokens []string, isVLLM bool, err error) {
	for depth := 0; depth < 2; depth++ {
		words := oneCall(f)
		if len(words) > 0 && words[0].Lit() == "exec" {
			words = words[1:]
		}
		switch {
		case len(words) > 0 && words[0].Lit() == "eval" && depth == 0:
			// eval joins its expanded arguments and runs them as a
			// command line.
			if f, err = evalFile(f, words[1:], lang); err != nil {
				// Whether it runs vllm serve cannot be told: another
				// program, which spec.Validate judges as such.
				return nil, false, nil //nolint:nilerr // See above.
			}
		case len(words) < 2 || path.Base(words[0].Lit()) != "vllm" || words[1].Lit() != "serve":
			return nil, false, nil
		default:
			if err := checkWords(f, true); err != nil {
				return nil, true, err
			}
			fs, err := fields(words[2:])
			return fs, true, err
		}
	}
	return nil, false, nil
}

// evalFile is the command line eval runs with args, words of f.
func evalFile(f *syntax.File, args []*syntax.Word, lang syntax.LangVariant) (*syntax.File, error) {
	if err := checkWords(f, true); err != nil {
		return nil, err
	}
	fs, err := fields(args)
	if err != nil {
		return nil, err
	}
	return parseShell(strings.Join(fs, " "), lang)
}

// usesArgs reports whether a script refers to its positional parameters.
func usesArgs(f *syntax.File) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if pe, ok := n.(*syntax.ParamExp); ok && (pe.Param.Value == "@" || pe.Param.Value == "*") {
			found = true
		}
		if lit, ok := n.(*syntax.Lit); ok && strings.Contains(lit.Value, markArgs) {
			found = true
		}
		return !found
	})
	return found
}
