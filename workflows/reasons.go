package workflows

import (
	"fmt"
	"strings"
)

// MaxReasonLength bounds the free text of any step.
const MaxReasonLength = 2000

// ReasonOK refuses a missing reason where one is required, and any text
// longer than MaxReasonLength.
func ReasonOK(text string, required bool) error {
	switch {
	case required && strings.TrimSpace(text) == "":
		return Refuse(ErrTypeInvalidArgument, "a reason is required")
	case len(text) > MaxReasonLength:
		return Refuse(ErrTypeInvalidArgument, fmt.Sprintf("the text is longer than %d characters", MaxReasonLength))
	}
	return nil
}
