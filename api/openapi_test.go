package api

import (
	"encoding/json"
	"testing"

	"github.com/dealflow/dealflow/internal/config"
)

// The OpenAPI description is kept in sync with the router: every route is
// documented, every documented route exists, and each appears in the
// description's paths under its method.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s := NewServer(config.Config{}, nil, nil, nil)
	docs := routeDocs()
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		key := rt.Method + " " + rt.Path
		if _, ok := docs[key]; !ok {
			t.Errorf("route %s has no entry in routeDocs", key)
		}
		seen[key] = true
	}
	for key := range docs {
		if !seen[key] {
			t.Errorf("routeDocs documents %s, which the router does not serve", key)
		}
	}
	spec := s.OpenAPI()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &back); err != nil || back.OpenAPI != "3.1.0" {
		t.Fatalf("spec: %v %s", err, back.OpenAPI)
	}
	ops := 0
	for _, p := range back.Paths {
		ops += len(p)
	}
	if ops != len(s.Routes()) {
		t.Fatalf("%d operations for %d routes", ops, len(s.Routes()))
	}
	deal := back.Paths["/v1/deals"]["post"].(map[string]any)
	body := deal["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"]
	if ref, _ := body.(map[string]any)["$ref"].(string); ref != "#/components/schemas/CreateDealRequest" {
		t.Fatalf("POST /v1/deals body schema %v", body)
	}
}
