package domain

import "testing"

// TestValidCurrency proves ValidCurrency accepts known upper-case ISO 4217 codes only.
func TestValidCurrency(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"USD", true},
		{"EUR", true},
		{"JPY", true},
		{"GBP", true},
		{"KWD", true},
		{"CHF", true},
		{"usd", false},
		{"Usd", false},
		{"XXX", false},
		{"", false},
		{"US", false},
		{"USDD", false},
		{" USD", false},
		{"USD ", false},
		{"123", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := ValidCurrency(tt.code); got != tt.want {
				t.Errorf("ValidCurrency(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

// TestCurrencyExponent proves CurrencyExponent gives each code's minor-unit digits, accepts lower case, and reports unknown codes.
func TestCurrencyExponent(t *testing.T) {
	tests := []struct {
		code   string
		want   int
		wantOK bool
	}{
		{"JPY", 0, true},
		{"KRW", 0, true},
		{"USD", 2, true},
		{"EUR", 2, true},
		{"GBP", 2, true},
		{"KWD", 3, true},
		{"BHD", 3, true},
		{"CLF", 4, true},
		{"usd", 2, true},
		{"jpy", 0, true},
		{"kwd", 3, true},
		{"Eur", 2, true},
		{"XXX", 0, false},
		{"", 0, false},
		{"US", 0, false},
		{"USDX", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			got, ok := CurrencyExponent(tt.code)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("CurrencyExponent(%q) = (%d, %v), want (%d, %v)", tt.code, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestCurrencyTableConsistent proves every listed code is three upper-case letters, is Valid, and has an exponent between 0 and 4.
func TestCurrencyTableConsistent(t *testing.T) {
	if len(currencyExponents) < 150 {
		t.Errorf("only %d currencies listed, want the full ISO 4217 active list", len(currencyExponents))
	}
	for code, exp := range currencyExponents {
		if len(code) != 3 {
			t.Errorf("code %q is not three characters", code)
		}
		for _, c := range code {
			if c < 'A' || c > 'Z' {
				t.Errorf("code %q has a character that is not an upper-case ASCII letter", code)
				break
			}
		}
		if !ValidCurrency(code) {
			t.Errorf("ValidCurrency(%q) = false for a listed code", code)
		}
		if got, ok := CurrencyExponent(code); !ok || got != exp {
			t.Errorf("CurrencyExponent(%q) = (%d, %v), want (%d, true)", code, got, ok, exp)
		}
		if exp < 0 || exp > 4 {
			t.Errorf("exponent of %q = %d, want 0..4", code, exp)
		}
	}
}
