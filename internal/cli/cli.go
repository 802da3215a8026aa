// Package cli is the entrykeyid command: it reads flags and ENTRYKEYID_*
// environment variables into one config.Config, validates it, and runs a
// subcommand. It is the only package that sees the process's arguments,
// environment and standard streams, and it receives them as arguments, so
// tests run the real command in-process.
//
//	serve    the identity provider (server.New over sqlstore)
//	migrate  applies database migrations
//	client   add | list | remove registered portals
//	demo     identity provider with --dev plus the Member and Provider portals
//	bench    load test of a running server
//	version  version of the binary and of Go (also --version)
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// env is the operating system as a command sees it.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand, in the order usage shows them.
func commands() []command {
	return []command{
		{"serve", "run the identity provider", runServe},
		{"migrate", "apply database migrations", runMigrate},
		{"client", "register, list or remove portals (OpenID Connect clients)", runClient},
		{"demo", "run the identity provider with the Member and Provider portals", runDemo},
		{"bench", "measure throughput and latency of a server over HTTP", runBench},
		{"version", "print the version of entrykeyid and of Go", runVersion},
	}
}

// UsageError is an error in how the command was called: an unknown
// subcommand or flag, or an invalid configuration. The process exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usageErrorf returns a *UsageError with the formatted message.
func usageErrorf(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// reported marks an error whose message was already written to stderr
// (by the flag package), so Run does not write it twice.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

// ExitCode maps Run's result to a process exit code: 0 for nil, 2 for a
// usage error, 1 for any other error.
func ExitCode(err error) int {
	var ue *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// Run runs the subcommand args names until it finishes or ctx is done.
// getenv, stdin, stdout and stderr stand for the process's. Run writes any
// error to stderr before returning it; ExitCode turns it into the exit
// code.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	err := dispatch(ctx, e, args)
	var r reported
	if err != nil && !errors.As(err, &r) {
		fmt.Fprintf(stderr, "entrykeyid: %v\n", err)
	}
	return err
}

func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		printUsage(e.stderr)
		return usageErrorf("no command given")
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		printUsage(e.stdout)
		return nil
	case "-version", "--version":
		return runVersion(ctx, e, args[1:])
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return helpIsNil(c.run(ctx, e, args[1:]))
		}
	}
	printUsage(e.stderr)
	return usageErrorf("unknown command %q", args[0])
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("EntryKeyID, an OpenID Connect identity provider.\n\nUsage: entrykeyid <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `entrykeyid <command> -h` for a command's flags, and `entrykeyid --version` for the\n" +
		"version. Every configuration flag can also be set as an ENTRYKEYID_* environment variable\n" +
		"(--data-dir is ENTRYKEYID_DATA_DIR); a flag beats the environment, which beats the default.\n")
	_, _ = io.WriteString(w, b.String())
}

// newFlagSet returns a flag set for a subcommand whose usage names it and
// describes it with about.
func newFlagSet(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: entrykeyid %s\n\n%s\n\nFlags:\n", synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs. -h prints usage and yields errHelp,
// which commands turn into a nil result.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	default:
		return &UsageError{Err: reported{err}}
	}
	if fs.NArg() > 0 {
		return usageErrorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// errHelp ends a command successfully after -h printed its usage.
var errHelp = reported{errors.New("help shown")}

// helpIsNil turns errHelp into nil.
func helpIsNil(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
