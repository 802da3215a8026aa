package main

import (
	"strings"
	"testing"
)

// TestReport feeds a recorded `go test -json` stream and checks that the
// package lines, the failed and skipped tests' output and the closing
// count come out, and that passing tests' chatter does not.
func TestReport(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"start","Package":"ex/a"}`,
		`{"Action":"run","Package":"ex/a","Test":"TestOK"}`,
		`{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}`,
		`{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"    a_test.go:9: chatter\n"}`,
		`{"Action":"pass","Package":"ex/a","Test":"TestOK","Elapsed":0}`,
		`{"Action":"run","Package":"ex/a","Test":"TestBad/sub"}`,
		`{"Action":"output","Package":"ex/a","Test":"TestBad/sub","Output":"    a_test.go:12: want 1, got 2\n"}`,
		`{"Action":"fail","Package":"ex/a","Test":"TestBad/sub","Elapsed":0}`,
		`{"Action":"output","Package":"ex/a","Test":"TestSkip","Output":"--- SKIP: TestSkip (0.00s)\n"}`,
		`{"Action":"skip","Package":"ex/a","Test":"TestSkip","Elapsed":0}`,
		`{"Action":"output","Package":"ex/a","Output":"FAIL\n"}`,
		`{"Action":"output","Package":"ex/a","Output":"FAIL\tex/a\t0.01s\n"}`,
		`{"Action":"fail","Package":"ex/a","Elapsed":0.01}`,
		`{"Action":"output","Package":"ex/b","Output":"PASS\n"}`,
		`{"Action":"output","Package":"ex/b","Output":"ok  \tex/b\t0.02s\n"}`,
		`{"Action":"pass","Package":"ex/b","Elapsed":0.02}`,
		`{"Action":"output","Package":"ex/c","Output":"?   \tex/c\t[no test files]\n"}`,
		`{"Action":"skip","Package":"ex/c","Elapsed":0}`,
		`{"ImportPath":"ex/d","Action":"build-output","Output":"d.go:3:1: syntax error\n"}`,
		`go: downloading example.com/m v1.0.0`,
	}, "\n")
	var out strings.Builder
	if err := report(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"want 1, got 2\n",
		"--- SKIP: TestSkip",
		"FAIL\tex/a\t0.01s\n",
		"ok  \tex/b\t0.02s\n",
		"?   \tex/c\t[no test files]\n",
		"d.go:3:1: syntax error\n",
		"go: downloading example.com/m v1.0.0\n",
		"failed: ex/a TestBad/sub\n",
		"skipped: ex/a TestSkip\n",
		"\n1 passed, 1 failed, 1 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "chatter") || strings.Contains(got, "PASS\n") {
		t.Errorf("output shows a passing test's output or a bare PASS line:\n%s", got)
	}
}
