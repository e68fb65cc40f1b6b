package domain

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// MinPasswordLength and MaxPasswordLength bound a person's password, in
// characters (the maximum keeps hashing cheap to refuse).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords are the most common passwords (lower-cased), refused
// whatever their length.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordList, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// PasswordProblem says why pw may not be a person's password (empty: it
// may): too short or too long, one of the most common passwords, or the
// person's own e-mail address or its local part.
func PasswordProblem(pw, email string) string {
	n := utf8.RuneCountInString(pw)
	low := strings.ToLower(strings.TrimSpace(pw))
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case n < MinPasswordLength:
		return "a password has at least 12 characters"
	case n > MaxPasswordLength:
		return "a password has at most 256 characters"
	case commonPasswords[low]:
		return "this password is one of the most common; choose another"
	case email != "" && (low == strings.ToLower(email) || low == local):
		return "a password may not be your e-mail address"
	}
	return ""
}
