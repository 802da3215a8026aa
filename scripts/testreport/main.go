// Command testreport reads `go test -json` events on standard input and
// prints what a person needs from them: every package's closing line (ok,
// FAIL, or no test files), build errors, the full output of each failed
// test, the name and reason of each skipped test, and a last line
// "N passed, N failed, N skipped" counting tests and subtests.
//
// It never hides a failure: a line it cannot parse as an event is printed
// as it came. Its exit status is 0; scripts/test returns go test's.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output events
}

type key struct{ pkg, test string }

func main() {
	if err := report(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
}

func report(in io.Reader, out io.Writer) error {
	var (
		outputs               = map[key][]string{}
		passed, failed, skipN int
		skipped, failedTests  []string
	)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 64*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(out, "%s\n", line)
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "output":
			if e.Test == "" {
				// Package-level lines: "ok  pkg 1.2s", "FAIL pkg", "?   pkg [no test files]",
				// and anything printed outside a test (a panic in TestMain, a timeout).
				if e.Output != "PASS\n" {
					fmt.Fprint(out, e.Output)
				}
				continue
			}
			outputs[k] = append(outputs[k], e.Output)
		case "pass":
			if e.Test != "" {
				passed++
				delete(outputs, k)
			}
		case "fail":
			if e.Test != "" {
				failed++
				failedTests = append(failedTests, e.Package+" "+e.Test)
				fmt.Fprint(out, strings.Join(outputs[k], ""))
				delete(outputs, k)
			}
		case "skip":
			if e.Test != "" {
				skipN++
				skipped = append(skipped, e.Package+" "+e.Test)
				fmt.Fprint(out, strings.Join(outputs[k], ""))
				delete(outputs, k)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	// Tests that never finished (a panic or a timeout killed the binary):
	// show what they printed.
	var unfinished []key
	for k := range outputs {
		unfinished = append(unfinished, k)
	}
	sort.Slice(unfinished, func(i, j int) bool {
		if unfinished[i].pkg != unfinished[j].pkg {
			return unfinished[i].pkg < unfinished[j].pkg
		}
		return unfinished[i].test < unfinished[j].test
	})
	for _, k := range unfinished {
		fmt.Fprintf(out, "=== unfinished: %s %s\n%s", k.pkg, k.test, strings.Join(outputs[k], ""))
	}
	for _, name := range failedTests {
		fmt.Fprintf(out, "failed: %s\n", name)
	}
	for _, name := range skipped {
		fmt.Fprintf(out, "skipped: %s\n", name)
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, failed, skipN)
	return nil
}
