package domain

import (
	"errors"
	"strings"
	"testing"
)

// validHosts pairs what a person may type with the normalized host and the
// registrable domain dealflow should derive from it.
var validHosts = []struct {
	name        string
	in          string
	host        string
	registrable string
}{
	{"bare domain", "acme.com", "acme.com", "acme.com"},
	{"www prefix", "www.acme.com", "acme.com", "acme.com"},
	{"url with scheme, case, path and query", "https://WWW.Acme.com/about?x=1", "acme.com", "acme.com"},
	{"http url", "http://acme.com", "acme.com", "acme.com"},
	{"url with user, port and path", "http://jane@acme.com:80/x", "acme.com", "acme.com"},
	{"ftp url with subdomain", "ftp://files.acme.com", "files.acme.com", "acme.com"},
	{"email address", "jane@acme.com", "acme.com", "acme.com"},
	{"mailto", "mailto:jane@acme.com", "acme.com", "acme.com"},
	{"trailing dot", "acme.com.", "acme.com", "acme.com"},
	{"port", "acme.com:8443", "acme.com", "acme.com"},
	{"trailing slash", "acme.com/", "acme.com", "acme.com"},
	{"query without path", "acme.com?x", "acme.com", "acme.com"},
	{"fragment", "acme.com#frag", "acme.com", "acme.com"},
	{"upper case", "ACME.COM", "acme.com", "acme.com"},
	{"surrounding whitespace", "  \tacme.com\n", "acme.com", "acme.com"},
	{"hyphen and digits", "acme-2go.com", "acme-2go.com", "acme-2go.com"},
	{"two-level public suffix", "shop.acme.co.uk", "shop.acme.co.uk", "acme.co.uk"},
	{"two-level public suffix url", "https://www.shop.acme.co.uk/basket", "shop.acme.co.uk", "acme.co.uk"},
	{"subdomain", "sales.initech.com", "sales.initech.com", "initech.com"},
	{"deep subdomain", "a.b.c.initech.com", "a.b.c.initech.com", "initech.com"},
	{"private suffix", "acme.github.io", "acme.github.io", "acme.github.io"},
	{"IDN", "münchen.de", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"},
	{"IDN upper case", "MÜNCHEN.DE", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"},
	{"IDN url", "https://www.münchen.de/rathaus", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"},
	{"IDN subdomain", "shop.bücher.de", "shop.xn--bcher-kva.de", "xn--bcher-kva.de"},
	{"punycode already", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de", "xn--mnchen-3ya.de"},
	{"full-width letters", "ａｃｍｅ.com", "acme.com", "acme.com"},
	{"63-character label", strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com", strings.Repeat("a", 63) + ".com"},
}

// invalidHosts are inputs that are not usable web domains.
var invalidHosts = []struct {
	name string
	in   string
}{
	{"empty", ""},
	{"spaces only", "   "},
	{"single label", "localhost"},
	{"single label url", "http://localhost:8080/"},
	{"spaces inside", "not a domain"},
	{"space before dot", "acme .com"},
	{"leading hyphen", "-bad.com"},
	{"trailing hyphen", "bad-.com"},
	{"empty label", "a..b.com"},
	{"leading dot", ".acme.com"},
	{"two trailing dots", "acme.com.."},
	{"underscore", "a_b.com"},
	{"300 characters", strings.Repeat("a", 300)},
	{"300 characters with dots", strings.Repeat("abcd.", 60)},
	{"64-character label", strings.Repeat("a", 64) + ".com"},
	{"scheme only", "http://"},
	{"scheme-relative url", "//acme.com"},
	{"email without domain", "jane@"},
	{"www only", "www."},
	{"IPv6 literal", "[::1]:80"},
	{"punctuation", "acme!.com"},
}

// TestNormalizeHost proves NormalizeHost reduces URLs, emails, ports, case, www and trailing dots to a lower-case ASCII host.
func TestNormalizeHost(t *testing.T) {
	for _, tt := range validHosts {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeHost(tt.in)
			if err != nil {
				t.Fatalf("NormalizeHost(%q) error = %v, want %q", tt.in, err, tt.host)
			}
			if got != tt.host {
				t.Errorf("NormalizeHost(%q) = %q, want %q", tt.in, got, tt.host)
			}
		})
	}
}

// TestNormalizeHostInvalid proves NormalizeHost refuses non-domains with ErrInvalidDomain and an empty host.
func TestNormalizeHostInvalid(t *testing.T) {
	for _, tt := range invalidHosts {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeHost(tt.in)
			if !errors.Is(err, ErrInvalidDomain) {
				t.Fatalf("NormalizeHost(%q) = (%q, %v), want ErrInvalidDomain", tt.in, got, err)
			}
			if got != "" {
				t.Errorf("NormalizeHost(%q) returned host %q alongside an error", tt.in, got)
			}
		})
	}
}

// TestRegistrableDomain proves RegistrableDomain reduces any accepted input to its public-suffix-plus-one domain.
func TestRegistrableDomain(t *testing.T) {
	for _, tt := range validHosts {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RegistrableDomain(tt.in)
			if err != nil {
				t.Fatalf("RegistrableDomain(%q) error = %v, want %q", tt.in, err, tt.registrable)
			}
			if got != tt.registrable {
				t.Errorf("RegistrableDomain(%q) = %q, want %q", tt.in, got, tt.registrable)
			}
		})
	}
}

// TestRegistrableDomainOfNormalizedHost proves feeding NormalizeHost's output to RegistrableDomain (as the API does) gives the same answer as the raw input.
func TestRegistrableDomainOfNormalizedHost(t *testing.T) {
	for _, tt := range validHosts {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NormalizeHost(tt.in)
			if err != nil {
				t.Fatalf("NormalizeHost(%q) error = %v", tt.in, err)
			}
			got, err := RegistrableDomain(h)
			if err != nil {
				t.Fatalf("RegistrableDomain(%q) error = %v", h, err)
			}
			if got != tt.registrable {
				t.Errorf("RegistrableDomain(%q) = %q, want %q", h, got, tt.registrable)
			}
		})
	}
}

// TestRegistrableDomainInvalid proves RegistrableDomain refuses every invalid host, and bare public suffixes, with ErrInvalidDomain.
func TestRegistrableDomainInvalid(t *testing.T) {
	tests := append([]struct {
		name string
		in   string
	}{
		{"public suffix co.uk", "co.uk"},
		{"public suffix url", "https://www.co.uk/"},
		{"private public suffix", "github.io"},
		{"bare tld", "com."},
	}, invalidHosts...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RegistrableDomain(tt.in)
			if !errors.Is(err, ErrInvalidDomain) {
				t.Fatalf("RegistrableDomain(%q) = (%q, %v), want ErrInvalidDomain", tt.in, got, err)
			}
			if got != "" {
				t.Errorf("RegistrableDomain(%q) returned %q alongside an error", tt.in, got)
			}
		})
	}
}

// FuzzNormalizeHost proves NormalizeHost never panics and is idempotent: a host it returns normalizes to itself.
func FuzzNormalizeHost(f *testing.F) {
	for _, tt := range validHosts {
		f.Add(tt.in)
	}
	for _, tt := range invalidHosts {
		f.Add(tt.in)
	}
	f.Add("co.uk")
	f.Add("https://user:pass@Sub.Example.org:443/p?q=1#f")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := NormalizeHost(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidDomain) {
				t.Fatalf("NormalizeHost(%q) error = %v, want ErrInvalidDomain", s, err)
			}
			return
		}
		again, err := NormalizeHost(h)
		if err != nil {
			t.Fatalf("NormalizeHost(%q) = %q, but NormalizeHost(%q) error = %v", s, h, h, err)
		}
		if again != h {
			t.Fatalf("NormalizeHost(%q) = %q, but NormalizeHost(%q) = %q", s, h, h, again)
		}
	})
}

// TestNormalizeHostEdgeCases pins the cases the fuzzer found: "www." is
// dropped repeatedly but never down to a bare suffix, the length limit
// applies after punycode, and IP addresses are not domains.
func TestNormalizeHostEdgeCases(t *testing.T) {
	ok := map[string]string{
		"www.www.acme.com": "acme.com",
		"www.com":          "www.com",
		"www.ü":            "www.xn--tda",
	}
	for in, want := range ok {
		if got, err := NormalizeHost(in); err != nil || got != want {
			t.Errorf("NormalizeHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	long := strings.Repeat("aaaaaaaaü.", 20) + "de"
	for _, in := range []string{long, "192.168.0.1", "10.0.0.1:8080"} {
		if got, err := NormalizeHost(in); !errors.Is(err, ErrInvalidDomain) {
			t.Errorf("NormalizeHost(%q) = %q, %v; want ErrInvalidDomain", in, got, err)
		}
	}
}
