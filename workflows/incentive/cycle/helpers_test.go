package cycle

import (
	"errors"
	"time"

	"github.com/dealflow/dealflow/domain"
	"go.temporal.io/sdk/temporal"
)

const (
	programID = "33333333-3333-3333-3333-333333333333"
	day       = 24 * time.Hour
)

var (
	managerActor = domain.Actor{ID: "22222222-2222-2222-2222-222222222222", Name: "Morgan Manager", Role: domain.RoleChannelManager}
	financeActor = domain.Actor{ID: "66666666-6666-6666-6666-666666666666", Name: "Fin", Role: domain.RoleFinance}
)

// outcome is what an update came to: refused by its validator, or
// completed with an error or none.
type outcome struct {
	rejected error
	err      error
	done     bool
}

// refusal is the error that refused the update, by validator or handler.
func (o *outcome) refusal() error {
	if o.rejected != nil {
		return o.rejected
	}
	return o.err
}

func appErrType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}
