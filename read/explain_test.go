package read

import (
	"context"
	"testing"

	"github.com/dealflow/dealflow/db/dbq"
	"github.com/google/uuid"
)

// A statement line whose rules no longer parse is not explained with zero
// rules (issue 13: rules, _ := in the explanation): the error is returned
// (answered 503 and logged), before anything else is read.
func TestExplanationRefusesRulesThatDoNotParse(t *testing.T) {
	rd := New(nil, nil)
	l := dbq.StatementLineGetRow{ID: uuid.New(), ProgramKind: "rebate", Rules: []byte(`{"mode":"sideways"}`)}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("a line whose rules do not parse was explained on (it went on to read its deals): %v", r)
		}
	}()
	if _, err := rd.Explanation(context.Background(), l); err == nil {
		t.Fatal("a line whose rules do not parse was explained")
	}
}
