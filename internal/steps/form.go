package steps

import (
	"strconv"
	"strings"

	"github.com/dealflow/dealflow/read"
)

// Form is how the console shows a step: a form on the deal's page with
// an input for each of Fields (in order) and a submit button. Each input's
// kind comes from the body's field of the same JSON name (console
// renders it): a *bool is a yes/no choice, a field with Options a
// select, a date (validate datetime) a date input, an int64 a number
// (decimal for amounts), anything else text; the validate tag says
// whether it is required.
type Form struct {
	// Button is the submit button's text; ButtonID its id (optional),
	// ButtonClass its class ("danger" for what cannot be undone).
	Button, ButtonID, ButtonClass string
	// Legend, when set, frames the inputs and button in a fieldset.
	Legend string
	// Intro, when set, says what the step answers, above the inputs.
	Intro  func(d read.DealView) string
	Fields []Field
}

// Field is one input of a step's form, for the body's field JSON name
// Name.
type Field struct {
	Name, ID, Label string
	// Textarea shows a text field as a multi-line box.
	Textarea bool
	// Options are a select's choices (value, label), or a yes/no choice's
	// two labels.
	Options []Option
	// Value, when set, fills the input in from the deal (a default).
	Value func(d read.DealView, today string) string
}

// Option is one choice of a select or a yes/no field.
type Option struct{ Value, Label string }

// ParseDecimal reads "12500.5" as minor units of a currency with exp
// decimals, exactly; more decimals than the currency has are refused.
func ParseDecimal(s string, exp int) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > exp || whole == "" && frac == "" {
		return 0, false
	}
	frac += strings.Repeat("0", exp-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	return v, err == nil && v >= 0
}
