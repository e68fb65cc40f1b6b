package domain

import (
	"errors"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// ErrInvalidDomain is returned for text that is not a usable web domain.
var ErrInvalidDomain = errors.New("not a valid web domain")

// NormalizeHost turns what a person types as a company's web domain
// ("https://WWW.Acme.com/about", "jane@acme.com", "acme.com.") into a
// lower-case ASCII host name without "www.", port, path or trailing dot.
func NormalizeHost(s string) (string, error) {
	s = strings.TrimSpace(s)
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[at+1:]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		if u, err := url.Parse(s); err == nil && u.Host != "" {
			s = u.Host
		} else {
			s = s[i+3:]
		}
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSuffix(strings.ToLower(s), ".")
	if s == "" || len(s) > 253 {
		return "", ErrInvalidDomain
	}
	ascii, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return "", ErrInvalidDomain
	}
	// "www." names the web server, not the company; drop every leading one
	// as long as a domain remains, so normalizing twice changes nothing.
	for strings.HasPrefix(ascii, "www.") && strings.Contains(ascii[4:], ".") {
		ascii = ascii[4:]
	}
	if len(ascii) > 253 || !strings.Contains(ascii, ".") {
		return "", ErrInvalidDomain
	}
	labels := strings.Split(ascii, ".")
	for _, label := range labels {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", ErrInvalidDomain
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", ErrInvalidDomain
			}
		}
	}
	// An all-digit top-level label means an IP address, not a domain.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", ErrInvalidDomain
	}
	return ascii, nil
}

// RegistrableDomain reduces a host to the domain a company registers, using
// the public suffix list: "shop.acme.co.uk" → "acme.co.uk". It is the
// strongest single signal that two registrations name the same customer.
func RegistrableDomain(host string) (string, error) {
	h, err := NormalizeHost(host)
	if err != nil {
		return "", err
	}
	r, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return "", ErrInvalidDomain
	}
	return r, nil
}
