package worker_test

import (
	"reflect"
	"testing"

	dealacts "github.com/dealflow/dealflow/activities/deal"
	incentiveacts "github.com/dealflow/dealflow/activities/incentive"
	leadacts "github.com/dealflow/dealflow/activities/lead"
	notifyacts "github.com/dealflow/dealflow/activities/notify"
	webhookacts "github.com/dealflow/dealflow/activities/webhook"
)

// Every context's activities are registered under their method names on
// one task queue: two contexts naming an activity alike would make the
// worker panic at start ("activity type ... is already registered").
func TestNoTwoContextsNameAnActivityAlike(t *testing.T) {
	owner := map[string]string{}
	for ctx, acts := range map[string]any{"deal": &dealacts.Activities{}, "incentive": &incentiveacts.Activities{}, "lead": &leadacts.Activities{}, "notify": &notifyacts.Activities{}, "webhook": &webhookacts.Activities{}} {
		typ := reflect.TypeOf(acts)
		for i := 0; i < typ.NumMethod(); i++ {
			name := typ.Method(i).Name
			if other, ok := owner[name]; ok {
				t.Errorf("activity %s is both %s's and %s's", name, other, ctx)
			}
			owner[name] = ctx
		}
	}
}
