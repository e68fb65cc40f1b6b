package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/dealflow/dealflow"

// pkg is what `go list -json` says of one package.
type pkg struct {
	ImportPath string
	Imports    []string // direct, without test imports
	Deps       []string // transitive
}

// graph lists the module's packages by import path.
func graph(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(&out)
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

// rel is path relative to the module ("api", "workflows/deal"); "" for
// packages outside it.
func rel(path string) string {
	if path == module {
		return "."
	}
	r, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	return r
}

// under reports whether the module-relative path r is dir or inside it.
func under(r, dir string) bool { return r == dir || strings.HasPrefix(r, dir+"/") }

// chain returns the import path from one package to another within the
// module ("api → workflows/deal → activities/deal"), for the message.
func chain(pkgs map[string]pkg, from, to string) string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to {
			var path []string
			for p := to; p != ""; p = prev[p] {
				path = append([]string{rel(p)}, path...)
			}
			return strings.Join(path, " → ")
		}
		for _, next := range pkgs[cur].Imports {
			if _, seen := prev[next]; !seen && rel(next) != "" {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return rel(from) + " → … → " + rel(to)
}

// contextOf is the business context a module-relative path belongs to under
// dir ("deal" for workflows/deal/registration under workflows), "" for dir
// itself (its shared kernel) or outside it.
func contextOf(r, dir string) string {
	rest, ok := strings.CutPrefix(r, dir+"/")
	if !ok {
		return ""
	}
	ctx, _, _ := strings.Cut(rest, "/")
	return ctx
}

// wiring lists the packages outside a context that may import its
// activities: they build and register them.
var wiring = []string{"worker", "cmd/dealflow", "bench"}

// TestLayers: the JSON API and the console import no activities package,
// even through another package; a context's workflows reach no other
// context's activities; nothing under activities reaches the API; the
// workflow contracts the API imports (workflows and workflows/<context>)
// reach no activities package, so none of their vocabulary leaks to it;
// and nothing outside a context imports its activities but the wiring.
func TestLayers(t *testing.T) {
	pkgs := graph(t)
	var paths []string
	for p := range pkgs {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		r := rel(p)
		for _, dep := range pkgs[p].Deps {
			d := rel(dep)
			if d == "" {
				continue
			}
			switch {
			case (under(r, "api") || under(r, "console")) && under(d, "activities"):
				t.Errorf("%s imports %s, an activities package: the API and the console act through the typed clients of workflows/<context>\n\t%s",
					r, d, chain(pkgs, p, dep))
			case (r == "workflows" || (under(r, "workflows") && strings.Count(r, "/") == 1)) && under(d, "activities"):
				t.Errorf("%s, a workflow contract the API imports, imports %s: a contract uses its own types\n\t%s",
					r, d, chain(pkgs, p, dep))
			case under(r, "workflows") && contextOf(r, "workflows") != "" && contextOf(d, "activities") != "" &&
				contextOf(d, "activities") != contextOf(r, "workflows"):
				t.Errorf("%s imports %s, another context's activities\n\t%s", r, d, chain(pkgs, p, dep))
			case under(r, "activities") && (under(d, "api") || under(d, "console")):
				t.Errorf("%s imports %s: activities never reach the API\n\t%s", r, d, chain(pkgs, p, dep))
			case under(r, "console") && under(d, "api"):
				t.Errorf("%s imports %s: the console shares the read layer (read), the step tables (internal/steps) and the HTTP plumbing (internal/web) with the API, never the API's handlers\n\t%s",
					r, d, chain(pkgs, p, dep))
			case under(r, "api") && under(d, "console"):
				t.Errorf("%s imports %s: the API knows the console only as an api.Mounter, wired by cmd/dealflow\n\t%s", r, d, chain(pkgs, p, dep))
			case (under(r, "read") || under(r, "internal/steps") || under(r, "internal/web")) && (under(d, "api") || under(d, "console")):
				t.Errorf("%s imports %s: what the API and the console share imports neither\n\t%s", r, d, chain(pkgs, p, dep))
			}
		}
		for _, imp := range pkgs[p].Imports {
			// Exports (payout file, statement lines, ledger, the deals behind
			// a line) live in internal/exports, the one user of the CSV
			// writer; encoding/csv is read by CRM imports and written there.
			if rel(imp) == "internal/csvout" && r != "internal/exports" {
				t.Errorf("%s imports internal/csvout: exports live in internal/exports, which API, console and CLI call", r)
			}
			if imp == "encoding/csv" && !slices.Contains([]string{"internal/csvout", "internal/exports", "internal/crm", "internal/csvin"}, r) {
				t.Errorf("%s imports encoding/csv: exports live in internal/exports (CSV imports read through internal/csvin or internal/crm)", r)
			}
			d, ctx := rel(imp), contextOf(rel(imp), "activities")
			if ctx == "" || under(r, "activities/"+ctx) || under(r, "workflows/"+ctx) || slices.ContainsFunc(wiring, func(w string) bool { return under(r, w) }) {
				continue
			}
			t.Errorf("%s imports %s: only the %s context's workflows and the wiring (%s) use its activities", r, d, ctx, strings.Join(wiring, ", "))
		}
	}
}
