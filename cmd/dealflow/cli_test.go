package main

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
)

// Every subcommand's --help (or -h), wherever it stands among the
// arguments, prints the command's flags on stdout and exits 0 (finding 17:
// `partner create --help` printed only "flag: help requested").
func TestEverySubcommandHelpListsItsFlags(t *testing.T) {
	var cases [][]string
	for _, c := range commands {
		cases = append(cases, []string{c.name, "--help"}, []string{c.name, "-h"})
	}
	cases = append(cases,
		[]string{"partner", "create", "--help"}, []string{"partner", "create", "--name", "X", "-h"},
		[]string{"token", "create", "--help"}, []string{"token", "revoke", "--help"}, []string{"token", "list", "--help"},
		[]string{"import", "accounts", "--help"}, []string{"ledger", "verify", "--help"}, []string{"bench", "intake", "--help"},
		[]string{"seed", "--synthetic", "5", "--help"}, []string{"migrate", "--help"},
		[]string{"partner", "update", "--help"}, []string{"partner", "update", "--id", "x", "-h"},
		[]string{"user", "invite", "--help"}, []string{"user", "list", "--help"}, []string{"user", "deactivate", "-h"})
	for _, args := range cases {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb, func(string) string { return "" })
		name := strings.Join(args, " ")
		if code != 0 || strings.Contains(out.String()+errb.String(), "help requested") {
			t.Errorf("dealflow %s: exit %d\nstdout: %s\nstderr: %s", name, code, out.String(), errb.String())
			continue
		}
		if !strings.HasPrefix(out.String(), "dealflow "+args[0]+": ") {
			t.Errorf("dealflow %s: stdout starts %.60q", name, out.String())
		}
		for _, fs := range helpFlagSets(args[0]) {
			fs.VisitAll(func(f *flag.Flag) {
				if !strings.Contains(out.String(), "  -"+f.Name+" ") && !strings.Contains(out.String(), "  -"+f.Name+"\n") {
					t.Errorf("dealflow %s: help lacks -%s\n%s", name, f.Name, out.String())
				}
			})
		}
	}
}

// helpFlagSets are the flag sets a command's help must list: its own and
// each of its actions' ("token revoke", "user invite", "partner update").
func helpFlagSets(name string) []*flag.FlagSet {
	var out []*flag.FlagSet
	names := []string{name}
	for _, action := range []string{"create", "revoke", "list", "update", "invite", "deactivate"} {
		names = append(names, name+" "+action)
	}
	for _, n := range names {
		if fs := flagsFor(n); fs != nil {
			out = append(out, fs)
		}
	}
	return out
}

// `dealflow token revoke --token -` reads the token from stdin's first
// line, so that it need not appear on a command line.
func TestReadToken(t *testing.T) {
	for in, want := range map[string]string{"dft_abc\n": "dft_abc", "  dft_abc  \nrest\n": "dft_abc", "dft_abc": "dft_abc"} {
		if got, err := readToken(strings.NewReader(in)); err != nil || got != want {
			t.Errorf("readToken(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := readToken(strings.NewReader("\n")); err == nil {
		t.Error("an empty stdin is accepted")
	}
}
