// Command examples tells the harnesses that cannot import internal/examples
// (the Makefile, and the test module, which does not depend on the root
// module) which examples there are, by the one rule written there.
//
//	examples list [-root=DIR]
//	examples args [-root=DIR] [-observed=FILE] [-required=FILE] NAME
//
// list prints every example as a JSON array of objects with the fields of
// examples.Example and renderArgs, the arguments of crossplane render for
// it. args prints those arguments for the example NAME (its directory under
// example/), one a line: its XR, Composition and Functions, and the flags
// for the observed.yaml and required.yaml beside it; -observed and
// -required replace those files, and an empty value renders without.
//
// -root is the repository root (default: the working directory); paths are
// printed joined to it, so relative to the working directory by default
// and absolute for an absolute root.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/crossplane-contrib/function-llm-inference-service/internal/examples"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "examples:", err)
		os.Exit(1)
	}
}

const usage = "usage: examples list [-root=DIR] | examples args [-root=DIR] [-observed=FILE] [-required=FILE] NAME"

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "list":
		return list(args[1:], out)
	case "args":
		return renderArgs(args[1:], out)
	default:
		return fmt.Errorf("unknown command %q; %s", args[0], usage)
	}
}

// listed is how list prints an example: its files, and the arguments make
// render gives crossplane render for it.
type listed struct {
	examples.Example
	RenderArgs []string `json:"renderArgs"`
}

func list(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", ".", "the repository root")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w; %s", err, usage)
	}
	if fs.NArg() != 0 {
		return errors.New(usage)
	}
	all, err := examples.Find(*root)
	if err != nil {
		return err
	}
	l := make([]listed, 0, len(all))
	for _, ex := range all {
		l = append(l, listed{Example: ex, RenderArgs: ex.RenderArgs()})
	}
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return fmt.Errorf("cannot encode the examples: %w", err)
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}

func renderArgs(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("args", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	root := fs.String("root", ".", "the repository root")
	observed := fs.String("observed", "", "observed resources to render with instead of the example's observed.yaml; empty for none")
	required := fs.String("required", "", "required resources to render with instead of the example's required.yaml; empty for none")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w; %s", err, usage)
	}
	if fs.NArg() != 1 || fs.Arg(0) == "" {
		return errors.New(usage)
	}
	ex, err := examples.Get(*root, fs.Arg(0))
	if err != nil {
		return err
	}
	// Only a flag that was given replaces the file, so that an empty
	// value can mean "render without".
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "observed":
			ex.Observed = *observed
		case "required":
			ex.Required = *required
		}
	})
	_, err = fmt.Fprintln(out, strings.Join(ex.RenderArgs(), "\n"))
	return err
}
