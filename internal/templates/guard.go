package templates

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"text/template"
	"text/template/parse"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Bounds of one render, over every template of the spec together: a
// template runs in the function's process on every reconcile of every
// service, so what it may cost is fixed, and what it produces goes into a
// response Crossplane refuses beyond 4 MiB.
const (
	// MaxOutput is how much text the templates of a spec may print.
	MaxOutput = 1 << 20
	// MaxBuilt is how much text the functions they call may return: a
	// template may build text it never prints ({{ $x := printf ... }}).
	MaxBuilt = 4 << 20
	// MaxSteps bounds the work of loops and nested templates: every range
	// iteration and every call of a defined template costs the number of
	// nodes of the body it runs.
	MaxSteps = 10_000
)

// A meter counts what the templates of one render cost.
type meter struct {
	output, built, steps int
}

// A limitError is a render that went over a bound.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// build counts text a function returns.
func (m *meter) build(n int) error {
	m.built += n
	if m.built > MaxBuilt {
		return &limitError{fmt.Sprintf("the functions the templates of the spec call return more than %d bytes of text", MaxBuilt)}
	}
	return nil
}

// step is the function fnStep: it prints nothing.
func (m *meter) step(cost int) (string, error) {
	m.steps += cost
	if m.steps > MaxSteps {
		return "", &limitError{fmt.Sprintf("the loops and nested templates of the spec run more than %d steps", MaxSteps)}
	}
	return "", nil
}

// print counts text a template prints; it stops at the write that
// crosses the bound.
func (m *meter) print(n int) error {
	m.output += n
	if m.output > MaxOutput {
		return &limitError{fmt.Sprintf("the templates of the spec print more than %d bytes", MaxOutput)}
	}
	return nil
}

// guard prepares the templates parsed into t for execution under the
// bounds: it refuses what a user may not write (the renderer's own
// functions, templates that call themselves), and rewrites the trees so
// that every range iteration and every call of a defined template is
// metered (fnStep) and every action that prints refuses a value that is
// not set (fnPrint). With no recursion, templates nest no deeper than
// there are templates, so the stack is bounded too.
func guard(t *template.Template) error {
	calls, err := templateCalls(t)
	if err != nil {
		return err
	}
	if name, ok := recursive(calls); ok {
		return errors.Errorf("template %q calls itself, directly or through other templates: templates may nest but not recurse", name)
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Root == nil {
			continue
		}
		instrument(tt.Root)
		if tt.Name() != t.Name() {
			tt.Root.Nodes = slices.Insert(tt.Root.Nodes, 0, parse.Node(stepAction(size(tt.Root))))
		}
	}
	return nil
}

// templateCalls are the templates each template of t calls, by name. It
// refuses the renderer's own functions, which parse only because they are
// defined for the renderer.
func templateCalls(t *template.Template) (map[string][]string, error) {
	calls := map[string][]string{}
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Root == nil {
			continue
		}
		if err := walk(tt.Root, func(n parse.Node) error {
			switch n := n.(type) {
			case *parse.IdentifierNode:
				if n.Ident == fnStep || n.Ident == fnPrint {
					return errors.Errorf("function %q not defined", n.Ident)
				}
			case *parse.TemplateNode:
				calls[tt.Name()] = append(calls[tt.Name()], n.Name)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return calls, nil
}

// instrument meters the iterations of every range in list and guards every
// action that prints.
func instrument(list *parse.ListNode) {
	if list == nil {
		return
	}
	for _, n := range list.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if len(n.Pipe.Decl) == 0 {
				pipe := n.Pipe.String()
				n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{
					NodeType: parse.NodeCommand, Pos: n.Pos,
					Args: []parse.Node{parse.NewIdentifier(fnPrint).SetPos(n.Pos), stringNode(pipe, n.Pos)},
				})
			}
		case *parse.RangeNode:
			instrument(n.List)
			instrument(n.ElseList)
			n.List.Nodes = slices.Insert(n.List.Nodes, 0, parse.Node(stepAction(size(n.List))))
		case *parse.IfNode:
			instrument(n.List)
			instrument(n.ElseList)
		case *parse.WithNode:
			instrument(n.List)
			instrument(n.ElseList)
		}
	}
}

// stepAction is {{_step cost}}.
func stepAction(cost int) *parse.ActionNode {
	num := &parse.NumberNode{NodeType: parse.NodeNumber, IsInt: true, Int64: int64(cost), Text: strconv.Itoa(cost)}
	cmd := &parse.CommandNode{NodeType: parse.NodeCommand, Args: []parse.Node{parse.NewIdentifier(fnStep), num}}
	return &parse.ActionNode{NodeType: parse.NodeAction, Pipe: &parse.PipeNode{NodeType: parse.NodePipe, Cmds: []*parse.CommandNode{cmd}}}
}

func stringNode(s string, pos parse.Pos) *parse.StringNode {
	return &parse.StringNode{NodeType: parse.NodeString, Pos: pos, Quoted: strconv.Quote(s), Text: s}
}

// size is the number of nodes a list runs, with the commands of its
// pipelines: the cost of running it once.
func size(list *parse.ListNode) int {
	n := 0
	_ = walk(list, func(parse.Node) error {
		n++
		return nil
	})
	return max(n, 1)
}

// walk calls fn for every node under list: actions, control structures,
// their pipelines, commands and arguments.
func walk(list *parse.ListNode, fn func(parse.Node) error) error {
	if list == nil {
		return nil
	}
	for _, n := range list.Nodes {
		if err := walkNode(n, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkNode(n parse.Node, fn func(parse.Node) error) error {
	if err := fn(n); err != nil {
		return err
	}
	switch n := n.(type) {
	case *parse.ActionNode:
		return walkPipe(n.Pipe, fn)
	case *parse.CommandNode:
		for _, a := range n.Args {
			if err := walkNode(a, fn); err != nil {
				return err
			}
		}
	case *parse.PipeNode:
		return walkPipe(n, fn)
	case *parse.IfNode:
		return walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		return walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		return walkBranch(&n.BranchNode, fn)
	case *parse.TemplateNode:
		return walkPipe(n.Pipe, fn)
	case *parse.ListNode:
		return walk(n, fn)
	}
	return nil
}

// walkPipe walks the commands of a pipeline, which may be absent
// ({{template "x"}}).
func walkPipe(p *parse.PipeNode, fn func(parse.Node) error) error {
	if p == nil {
		return nil
	}
	for _, c := range p.Cmds {
		if err := walkNode(c, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkBranch(b *parse.BranchNode, fn func(parse.Node) error) error {
	if err := walkPipe(b.Pipe, fn); err != nil {
		return err
	}
	if err := walk(b.List, fn); err != nil {
		return err
	}
	return walk(b.ElseList, fn)
}

// recursive finds a template that reaches itself through the calls
// between templates, searching in order of name so the message is stable.
func recursive(calls map[string][]string) (string, bool) {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var visit func(string) (string, bool)
	visit = func(name string) (string, bool) {
		switch state[name] {
		case open:
			return name, true
		case done:
			return "", false
		}
		state[name] = open
		for _, c := range calls[name] {
			if n, ok := visit(c); ok {
				return n, true
			}
		}
		state[name] = done
		return "", false
	}
	for _, n := range slices.Sorted(maps.Keys(calls)) {
		if found, ok := visit(n); ok {
			return found, true
		}
	}
	return "", false
}
