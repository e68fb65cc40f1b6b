package domain

import (
	"errors"
	"net/mail"
	"strings"
)

// MaxEmailLength bounds a person's e-mail address (RFC 5321's path limit).
const MaxEmailLength = 254

// NormalizeEmail returns the form under which a person's e-mail address is
// stored and compared: trimmed and lower-cased, so that two spellings of
// one address are one person. It refuses anything but a bare address
// (no display name, no angle brackets, no list).
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	switch {
	case e == "":
		return "", errors.New("an e-mail address is required")
	case len(e) > MaxEmailLength:
		return "", errors.New("the e-mail address is longer than 254 characters")
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", errors.New("not an e-mail address such as name@example.com")
	}
	return e, nil
}
